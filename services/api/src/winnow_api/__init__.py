"""[1] Winnow's HTTP control plane."""
