"""Several nodes behind one SIP proxy: Kamailio's configuration, and a local cluster to try."""
