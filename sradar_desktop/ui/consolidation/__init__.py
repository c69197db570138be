"""The consolidation window: the grid of answers, the detail and the arbitration, who answered,
the synthesis per objective, the evolution."""
