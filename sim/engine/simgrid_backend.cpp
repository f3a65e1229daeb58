// placeholder, replaced by the SimGrid adapter
