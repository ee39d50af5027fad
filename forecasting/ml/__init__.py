"""Demand forecasting's numerical code: series and their sources, metrics, baselines, peers
and the evaluation protocol. No Django imports; heavy libraries are imported lazily."""
