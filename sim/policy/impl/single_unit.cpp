// placeholder, replaced by the single-unit policies
