"""``python -m reconcile`` runs the command line."""

from .cli import main

main()
