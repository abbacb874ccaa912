"""The store report's figures, shared by the desk and the centre: the model, periods, the
per-store-day partial and the figures computed over partials."""
