"""`huifang cluster`: a local cluster (PostgreSQL, Kamailio, two nodes) to try several nodes."""

from __future__ import annotations

import argparse
from pathlib import Path

from huifang.cluster.kamailio import ClusterError, ProxyConfig, dispatcher_list, kamailio_cfg
from huifang.cluster.local import LocalCluster, run_cluster
from huifang.commands.common import EXIT_BAD_INPUT, Subparsers, report_error


def register(sub: Subparsers) -> None:
    """Add the `cluster` sub-command."""
    parser = sub.add_parser(
        "cluster", help="run a local cluster, or write a Kamailio configuration for nodes",
        description="`cluster up`: PostgreSQL, Kamailio on 127.0.0.1:PROXY_PORT and two nodes "
                    "(huifang serve + serve-web each, sharing the database and the live "
                    "events) on 127.0.0.1, until Ctrl-C. `cluster kamailio-cfg`: print a "
                    "kamailio.cfg spreading inbound calls over the given nodes.")
    actions = parser.add_subparsers(dest="action", required=True)
    up = actions.add_parser("up", help="start a local cluster until Ctrl-C")
    up.add_argument("--folder", type=Path, default=Path("var/cluster"))
    up.add_argument("--proxy-port", type=int, default=5060)
    up.add_argument("--pg-port", type=int, default=55432)
    up.add_argument("--sip-base", type=int, default=5071, help="node i answers on BASE+i")
    up.add_argument("--web-base", type=int, default=8081, help="node i serves on BASE+i")
    up.add_argument("--no-web", action="store_true", help="SIP nodes only")
    cfg = actions.add_parser("kamailio-cfg", help="print a kamailio.cfg for these nodes")
    cfg.add_argument("--listen", required=True, help="host:port Kamailio listens on")
    cfg.add_argument("--node", action="append", required=True, help="host:port of a node")
    cfg.add_argument("--list-file", type=Path, required=True,
                     help="where the dispatcher list goes (written)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run the action; 2 with one line for a configuration that cannot work."""
    try:
        if args.action == "kamailio-cfg":
            config = ProxyConfig(args.listen, tuple(args.node))
            args.list_file.write_text(dispatcher_list(config))
            print(kamailio_cfg(config, args.list_file.resolve()), end="")
            return 0
        cluster = LocalCluster(args.folder.resolve(), args.proxy_port, args.pg_port,
                               args.sip_base, args.web_base)
        return run_cluster(cluster, web=not args.no_web)
    except (ClusterError, OSError) as err:
        report_error("cluster", str(err))
        return EXIT_BAD_INPUT
