"""Hindsight: a public ledger of AI predictions and how they turned out."""
