"""`huifang cluster`: a local cluster (PostgreSQL, Kamailio, two nodes) to try several nodes."""

from __future__ import annotations

import argparse
import shlex
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
                    "events) on 127.0.0.1, until Ctrl-C; the calls nodes place go out "
                    "through Kamailio (to --trunk). `cluster env --node N [--dial]`: the "
                    "settings of node N's serve, or of its campaign run / call, as export "
                    "lines. `cluster kamailio-cfg`: print a kamailio.cfg spreading inbound "
                    "calls over the given nodes and sending theirs to the trunk.")
    actions = parser.add_subparsers(dest="action", required=True)
    up = actions.add_parser("up", help="start a local cluster until Ctrl-C")
    up.add_argument("--folder", type=Path, default=Path("var/cluster"))
    up.add_argument("--proxy-port", type=int, default=5060)
    up.add_argument("--pg-port", type=int, default=55432)
    up.add_argument("--sip-base", type=int, default=5071, help="node i answers on BASE+i")
    up.add_argument("--web-base", type=int, default=8081, help="node i serves on BASE+i")
    up.add_argument("--no-web", action="store_true", help="SIP nodes only")
    up.add_argument("--trunk", default="", metavar="HOST:PORT",
                    help="where the nodes' calls go out (default: their Request-URI's host)")
    up.add_argument("--dial-base", type=int, default=5100,
                    help="node i places calls from BASE+10i (its campaign workers: +1, +2 …)")
    env = actions.add_parser("env", help="print a node's settings as export lines")
    env.add_argument("--folder", type=Path, default=Path("var/cluster"))
    env.add_argument("--node", type=int, default=1, help="1 … 2")
    env.add_argument("--dial", action="store_true",
                     help="for campaign run / call on that node (its dial ports)")
    env.add_argument("--proxy-port", type=int, default=5060)
    env.add_argument("--pg-port", type=int, default=55432)
    env.add_argument("--sip-base", type=int, default=5071)
    env.add_argument("--web-base", type=int, default=8081)
    env.add_argument("--dial-base", type=int, default=5100)
    cfg = actions.add_parser("kamailio-cfg", help="print a kamailio.cfg for these nodes")
    cfg.add_argument("--listen", required=True, help="host:port Kamailio listens on")
    cfg.add_argument("--node", action="append", required=True, help="host:port of a node")
    cfg.add_argument("--trunk", default="", metavar="HOST:PORT",
                     help="where the nodes' calls go out (default: their Request-URI's host)")
    cfg.add_argument("--caller", action="append", default=[],
                     help="host, host:port or host:first-last whose INVITEs are calls a node "
                          "places (default: the nodes' own addresses)")
    cfg.add_argument("--list-file", type=Path, required=True,
                     help="where the dispatcher list goes (written)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run the action; 2 with one line for a configuration that cannot work."""
    try:
        if args.action == "kamailio-cfg":
            config = ProxyConfig(args.listen, tuple(args.node), trunk=args.trunk,
                                 callers=tuple(args.caller))
            args.list_file.write_text(dispatcher_list(config))
            print(kamailio_cfg(config, args.list_file.resolve()), end="")
            return 0
        cluster = LocalCluster(args.folder.resolve(), args.proxy_port, args.pg_port,
                               args.sip_base, args.web_base, trunk=getattr(args, "trunk", ""),
                               dial_base=args.dial_base)
        if args.action == "env":
            if not 1 <= args.node <= cluster.nodes:
                raise ClusterError(f"--node {args.node}: the local cluster has nodes "
                                   f"1 … {cluster.nodes}")
            for key, value in cluster.node_settings(args.node - 1, dial=args.dial).items():
                print(f"export {key}={shlex.quote(value)}")
            return 0
        cluster.proxy()  # a trunk or port that cannot work fails here, before anything starts
        return run_cluster(cluster, web=not args.no_web)
    except (ClusterError, OSError) as err:
        report_error("cluster", str(err))
        return EXIT_BAD_INPUT
