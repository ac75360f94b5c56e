"""cnet-lab: a simulated fleet of Linux hosts in namespaces, reached over SSH."""
