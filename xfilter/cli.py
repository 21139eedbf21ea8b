"""The ``xfilter`` command: run, scan, verify, explain."""

from __future__ import annotations

import argparse
import errno
import json
import sys
from collections import Counter
from collections.abc import Sequence
from typing import Any

from xfilter import __version__
from xfilter.errors import XFilterError

EXIT_FOUND = 1
EXIT_INTERRUPTED = 130


def _cmd_run(args: argparse.Namespace) -> int:
    if args.engine == "ray":
        from xfilter.ray import run as run_on_ray

        manifest = run_on_ray(
            args.config,
            input=args.input,
            output=args.output,
            split=args.split,
            overwrite=args.overwrite,
            address=args.ray_address,
            num_actors=args.num_actors,
        )
        _print_summary(manifest, args.output or manifest["config"]["output"]["dir"])
        return 0
    from xfilter.job import run

    result = run(
        args.config,
        input=args.input,
        output=args.output,
        split=args.split,
        streaming=True if args.streaming else None,
        overwrite=args.overwrite,
        num_proc=args.num_proc,
    )
    _print_summary(result.manifest, result.saved_to)
    return 0


def _print_summary(manifest: dict[str, Any], directory: object) -> None:
    print(f"xfilter {manifest['mode']} → {directory}")
    print(f"{'split':<12}{'input':>9}{'kept':>9}{'dropped':>9}{'quarant.':>9}{'redacted':>9}")
    for name, s in manifest["splits"].items():
        print(
            f"{name:<12}{s['input']:>9}{s['kept']:>9}{s['dropped']:>9}"
            f"{s['quarantined']:>9}{s['redacted']:>9}"
        )


def _cmd_scan(args: argparse.Namespace) -> int:
    from xfilter.kernel import ACTION, AUTHORS_COLUMN, CATEGORIES_COLUMN, RULES_COLUMN
    from xfilter.result import BATCH_ROWS
    from xfilter.sources import load_source
    from xfilter.transform import XFilter

    overrides: dict[str, Any] = {"input": {"source": args.source}}
    if args.mode:
        overrides["mode"] = args.mode
    xf = XFilter.from_config(args.config, **overrides) if args.config else XFilter(**overrides)
    data, _ = load_source(args.source, args.split, streaming=True)
    categories: Counter[str] = Counter()
    actions: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    total = 0
    for split, ds in data.items():
        row = 0
        for batch in ds.with_format("arrow").iter(batch_size=BATCH_ROWS):
            tagged = xf.tag_table(batch)
            for action, cats, rules, authors in zip(
                tagged.column(ACTION).to_pylist(),
                tagged.column(CATEGORIES_COLUMN).to_pylist(),
                tagged.column(RULES_COLUMN).to_pylist(),
                tagged.column(AUTHORS_COLUMN).to_pylist(),
                strict=True,
            ):
                actions[action] += 1
                categories.update(cats)
                if cats and len(examples.setdefault(cats[0], [])) < args.examples:
                    who = f" authors={','.join(authors)}" if authors else ""
                    examples[cats[0]].append(
                        f"{split}[{row}] {action} rules={','.join(rules)}{who}"
                    )
                row += 1
            total += batch.num_rows
    print(f"scanned {total} records of {args.source} (mode {xf.config.mode})")
    print("categories: " + (", ".join(f"{c}={n}" for c, n in sorted(categories.items())) or "none"))
    print("actions:    " + ", ".join(f"{a}={n}" for a, n in sorted(actions.items())))
    for category, lines in sorted(examples.items()):
        print(f"\n{category} examples:")
        for line in lines:
            print(f"  {line}")
    failing = [c for c in args.fail_on or [] if categories[c]]
    if failing:
        print(f"\nfound {', '.join(failing)}: failing as asked by --fail-on", file=sys.stderr)
        return EXIT_FOUND
    return 0


def _cmd_verify(args: argparse.Namespace) -> int:
    from xfilter.verification import verify

    for line in verify(args.directory, quick=args.quick):
        print(f"ok  {line}")
    print(f"{args.directory}: verified")
    return 0


def _cmd_publish(args: argparse.Namespace) -> int:
    from xfilter.publish import publish

    url = publish(
        args.directory,
        args.repo_id,
        private=args.private,
        revision=args.revision,
        include_quarantine=args.include_quarantine,
    )
    print(f"published {args.directory} → {url}")
    return 0


def _cmd_explain(args: argparse.Namespace) -> int:
    from xfilter.detect import posts, text, urls
    from xfilter.kernel import summarize
    from xfilter.policy import Policy
    from xfilter.transform import XFilter

    if args.url is not None:
        kind, value, evidence = "url", args.url, urls.analyze_url(args.url)
    elif args.json is not None:
        found = posts.analyze_json_text(args.json)
        if found is None:
            raise XFilterError("--json: not valid JSON")
        kind, value, evidence = "json", args.json, found
    else:
        kind, value, evidence = "text", args.text, text.analyze_text(args.text)
    categories, _, authors = summarize(evidence)
    xf = XFilter(mode=args.mode) if args.mode else XFilter()
    decision = Policy.from_config(xf.config, xf.opt_out).decide(categories, authors)
    print(f"{kind}: {len(value)} characters")
    print(f"categories: {', '.join(categories) or '(none)'}")
    print(f"authors:    {', '.join(authors) or '(none)'}")
    print(f"action:     {decision.action} under {xf.config.mode}")
    from xfilter.rules import ALL_RULES

    for e in evidence:
        rule = ALL_RULES.get(e.rule)
        where = ""
        if e.span is not None:
            start, end = e.span
            snippet = value[start:end].replace("\n", " ")
            snippet = snippet if len(snippet) <= 80 else snippet[:77] + "..."
            where = f" [{start}:{end}] {snippet!r}"
        print(f"  {e.rule:<24} {e.category:<10}{where}")
        if rule is not None:
            print(f"  {'':<24} {rule.description}")
    if args.as_json:
        print(json.dumps([e.__dict__ for e in evidence], default=list))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="xfilter",
        description="Find X-derived records in datasets; drop or quarantine them by policy.",
    )
    parser.add_argument("--version", action="version", version=f"xfilter {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run the job a config describes and write the outputs")
    run.add_argument("config", help="YAML config (see configs/)")
    run.add_argument("--input", help="override input.source: demo, a path, a glob or a Hub id")
    run.add_argument("--output", help="override output.dir")
    run.add_argument("--split", help="only this split")
    run.add_argument("--streaming", action="store_true", help="read, tag and write in one pass")
    run.add_argument("--overwrite", action="store_true", help="replace an earlier xfilter output")
    run.add_argument("--num-proc", type=int, default=None, help="worker processes for tagging")
    run.add_argument(
        "--engine", choices=["local", "ray"], default="local", help="where to run (default local)"
    )
    run.add_argument("--ray-address", help="an existing Ray cluster (default: start a local one)")
    run.add_argument("--num-actors", type=int, default=None, help="Ray tagging actors")
    run.set_defaults(func=_cmd_run)

    scan = commands.add_parser("scan", help="audit a dataset: counts per category; writes nothing")
    scan.add_argument("source", help="demo, a path, a glob or a Hub id")
    scan.add_argument("--mode", choices=["strict", "collaborator", "first-party"])
    scan.add_argument("--config", help="take policy settings from this config")
    scan.add_argument("--split", help="only this split")
    scan.add_argument(
        "--fail-on",
        nargs="+",
        metavar="CATEGORY",
        choices=["x_dataset", "x_post", "x_embed", "x_link", "x_mention"],
        help="exit 1 when any of these categories is found",
    )
    scan.add_argument("--examples", type=int, default=3, help="examples per category")
    scan.set_defaults(func=_cmd_scan)

    verify = commands.add_parser("verify", help="check an output directory against its manifest")
    verify.add_argument("directory")
    verify.add_argument("--quick", action="store_true", help="skip re-scanning the clean set")
    verify.set_defaults(func=_cmd_verify)

    publish = commands.add_parser(
        "publish", help="push a verified output's clean set, card and manifest to the Hub"
    )
    publish.add_argument("directory")
    publish.add_argument("repo_id", help="the Hub dataset repo, e.g. my-org/my-clean-set")
    publish.add_argument("--private", action="store_true", help="create the repo as private")
    publish.add_argument("--revision", help="branch to commit to (default main)")
    publish.add_argument(
        "--include-quarantine",
        action="store_true",
        help="also push the quarantine set (only to a private repo)",
    )
    publish.set_defaults(func=_cmd_publish)

    explain = commands.add_parser("explain", help="show the rules, categories and spans that fire")
    given = explain.add_mutually_exclusive_group(required=True)
    given.add_argument("--text", help="prose or HTML")
    given.add_argument("--url", help="a record's own URL")
    given.add_argument("--json", help="a JSON object, e.g. a post")
    explain.add_argument("--mode", choices=["strict", "collaborator", "first-party"])
    explain.add_argument("--as-json", action="store_true", help="also print the evidence as JSON")
    explain.set_defaults(func=_cmd_explain)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except XFilterError as exc:
        print(f"xfilter: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            where = f": {exc.filename}" if exc.filename else ""
            print(
                f"xfilter: error: no space left on device{where}; nothing was written",
                file=sys.stderr,
            )
        else:
            print(f"xfilter: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("xfilter: interrupted; no output was written", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
