"""The ``xfilter`` command: run, scan, refresh, verify, report, publish, explain."""

from __future__ import annotations

import argparse
import errno
import json
import os
import signal
import sys
from collections import Counter
from collections.abc import Sequence
from typing import Any, get_args

from xfilter import __version__
from xfilter.errors import XFilterError

EXIT_FOUND = 1
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as a shell reports a tool killed by it
# The category rules that decide by a record's authors (and so by the opt-out list).
_BY_AUTHORS = frozenset({"author-check", "opt-out"})


def _cmd_run(args: argparse.Namespace) -> int:
    config = _with_selection(args)
    _warn_if_custom(config)
    if args.engine == "ray":
        from xfilter.engines.ray import run as run_on_ray

        result = run_on_ray(
            config,
            input=args.input,
            output=args.output,
            split=args.split,
            overwrite=args.overwrite,
            address=args.ray_address,
            num_actors=args.num_actors,
        )
    elif args.engine == "spark":
        from xfilter.engines.spark import run as run_on_spark

        result = run_on_spark(
            config,
            input=args.input,
            output=args.output,
            split=args.split,
            overwrite=args.overwrite,
            master=args.spark_master,
        )
    else:
        from xfilter.engines.local import run

        result = run(
            config,
            input=args.input,
            output=args.output,
            split=args.split,
            streaming=True if args.streaming else None,
            overwrite=args.overwrite,
            workers=args.workers,
            num_proc=args.num_proc,
        )
    _print_summary(result.manifest, result.saved_to)
    _say_allowlist(result.manifest)
    return 0


def _say_allowlist(manifest: dict[str, Any]) -> None:
    """What a reviewer's list did: released records, entries that named nothing, and records
    kept against the policy's terms."""
    section = manifest.get("allowlist")
    if not section:
        return
    released = sum(section["released"].values())
    print(f"allowlist: {released} record(s) released ({section['entries']} entries)")
    if section["unmatched"]:
        print(
            f"xfilter: warning: {section['unmatched']} allowlist entr(ies) named no record the "
            "policy rejects (the record changed, or the policy keeps it now)",
            file=sys.stderr,
        )
    if section["against_terms"]:
        print(f"xfilter: warning: {section['terms']}", file=sys.stderr)


def _selection(args: argparse.Namespace) -> dict[str, Any]:
    """The ``input:`` keys given on the command line (``--name`` …), those given only."""
    chosen = {
        "name": args.name,
        "revision": args.revision,
        "data_files": args.data_files,
        "data_dir": args.data_dir,
    }
    return {key: value for key, value in chosen.items() if value is not None}


def _with_selection(args: argparse.Namespace) -> Any:
    """The run's config, with ``--name``, ``--revision``, ``--data-files`` and ``--data-dir``
    in its ``input:`` section (or the config's path when none is given)."""
    chosen = _selection(args)
    if not chosen:
        return args.config
    from xfilter.config import load_config

    return load_config(args.config).with_overrides({"input": chosen}, "the command line")


def _cmd_report(args: argparse.Namespace) -> int:
    from xfilter.report import write_report

    path = write_report(
        args.directory, args.output, chain=args.chain or (), input=args.input, verify=args.verify
    )
    print(f"report of {args.directory} → {path}")
    return 0


def _warn_if_custom(config: Any) -> None:
    """A policy whose overrides keep what its mode's terms forbid is said so before it runs."""
    from xfilter.config import Config, load_config
    from xfilter.policy import Policy, policy_warning

    loaded = config if isinstance(config, Config) else load_config(config)
    policy = Policy.from_config(loaded)
    message = policy_warning(policy)
    if message:
        print(f"xfilter: warning: {message}", file=sys.stderr)
    if _BY_AUTHORS & set(policy.rules.values()) and not loaded.opt_out.path:
        print(
            f"xfilter: warning: the {loaded.mode} policy honours opt-outs but no opt_out.path "
            "is set: no author is treated as opted out",
            file=sys.stderr,
        )


def _print_summary(manifest: dict[str, Any], directory: object) -> None:
    from xfilter.output.card import policy_description
    from xfilter.vocab import COUNTS

    heads = {"quarantined": "quarant."}
    print(f"xfilter {policy_description(manifest)['name']} → {directory}")
    print(f"{'split':<12}" + "".join(f"{heads.get(key, key):>9}" for key in COUNTS))
    for name, split in manifest["splits"].items():
        print(f"{name:<12}" + "".join(f"{split[key]:>9}" for key in COUNTS))


def _cmd_scan(args: argparse.Namespace) -> int:
    from xfilter.engines.inputs import known_rows, load_input, read_batches
    from xfilter.engines.local import progress_bar
    from xfilter.output.write import read_allowlist
    from xfilter.result import BATCH_ROWS
    from xfilter.transform import XFilter
    from xfilter.vocab import ACTION, AUTHORS_COLUMN, CATEGORIES_COLUMN, RULES_COLUMN

    fail_on_action = _actions(args.fail_on_action)
    if args.max_rate is not None and not 0 <= args.max_rate <= 1:
        raise XFilterError(f"--max-rate: {args.max_rate} is not a share between 0 and 1")
    # The input is the command line's alone: a --config lends its policy, not its input.
    selection = dict.fromkeys(("name", "revision", "data_files", "data_dir")) | _selection(args)
    overrides: dict[str, Any] = {
        "input": {"source": args.source, "split": args.split, "streaming": True, **selection}
    }
    if args.mode:
        overrides["mode"] = args.mode
    xf = XFilter.from_config(args.config, **overrides) if args.config else XFilter(**overrides)
    _warn_if_custom(xf.config)
    identity = args.id_column or list(xf.config.ledger.identity)
    allowlist = read_allowlist(xf.config)
    data, info = load_input(xf.config.input)
    opted_out = _opt_out_rejection(xf.tagger.policy)
    listed = xf.opt_out.count > 0
    withheld = released = 0
    categories: Counter[str] = Counter()
    actions: Counter[str] = Counter()
    examples: dict[str, list[dict[str, Any]]] = {}
    total = 0
    for split, ds in data.items():
        row = 0
        with progress_bar(f"xfilter scan: {split}", known_rows(ds, info, split)) as bar:
            for batch in read_batches(ds, BATCH_ROWS, info, split):
                tagged = xf.tag_table(batch)
                freed = _released_rows(allowlist, identity, batch, tagged) if allowlist else set()
                for offset, (action, cats, rules, authors) in enumerate(
                    zip(
                        tagged.column(ACTION).to_pylist(),
                        tagged.column(CATEGORIES_COLUMN).to_pylist(),
                        tagged.column(RULES_COLUMN).to_pylist(),
                        tagged.column(AUTHORS_COLUMN).to_pylist(),
                        strict=True,
                    )
                ):
                    if offset in freed:
                        action, released = "keep", released + 1
                    actions[action] += 1
                    categories.update(cats)
                    if opted_out(cats, authors, action):
                        withheld += 1
                    elif cats and len(examples.setdefault(cats[0], [])) < args.examples:
                        # Authors are shown only where no opt-out list is in use: beside an
                        # action they would tell a CI log who is on the list.
                        example: dict[str, Any] = {"split": split, "row": row + offset}
                        if identity:
                            record = batch.slice(offset, 1).to_pylist()[0]
                            example["id"] = {n: _identity_of(record, n) for n in identity}
                        example |= {"action": action, "rules": rules}
                        if authors and not listed:
                            example["authors"] = authors
                        examples[cats[0]].append(example)
                row += batch.num_rows
                total += batch.num_rows
                bar.update(batch.num_rows)
    not_kept = actions["drop"] + actions["quarantine"]
    rate = not_kept / total if total else 0.0
    failures = {
        "categories": [c for c in args.fail_on or [] if categories[c]],
        "actions": [a for a in fail_on_action if actions[a]],
        "max_rate": args.max_rate is not None and rate > args.max_rate,
    }
    code = EXIT_FOUND if any(failures.values()) else 0
    summary = {
        "source": args.source,
        "policy": xf.tagger.policy.name,
        "mode": xf.tagger.policy.mode,
        "records": total,
        "categories": dict(sorted(categories.items())),
        "actions": dict(sorted(actions.items())),
        "not_kept_rate": rate,
        "released": released if allowlist is not None else None,
        "withheld_for_opt_out": withheld,
        "examples": dict(sorted(examples.items())),
        "gates": {
            "fail_on": args.fail_on or [],
            "fail_on_action": fail_on_action,
            "max_rate": args.max_rate,
        },
        "failed": failures,
        "exit_code": code,
    }
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        _print_scan(summary)
    _say_failures(failures, rate, args.max_rate)
    return code


def _actions(given: list[str] | None) -> list[str]:
    """``--fail-on-action``: comma lists, repeatable; each an action a policy takes."""
    names = [a.strip() for item in given or [] for a in item.split(",") if a.strip()]
    wrong = [a for a in names if a not in _GATED_ACTIONS]
    if wrong:
        raise XFilterError(
            f"--fail-on-action: {wrong[0]!r} is not one of {', '.join(_GATED_ACTIONS)}"
        )
    return list(dict.fromkeys(names))


_GATED_ACTIONS = ("drop", "quarantine", "redact")


def _released_rows(allowlist: Any, identity: list[str], batch: Any, tagged: Any) -> set[int]:
    """The rows of a batch the policy rejects but the allowlist releases."""
    from xfilter.output.writer import IDENTITY_PREFIX, record_sha256
    from xfilter.vocab import ACTION

    actions = tagged.column(ACTION).to_pylist()
    rejected = [i for i, a in enumerate(actions) if a in ("drop", "quarantine")]
    freed = set()
    for i in rejected:
        record = batch.slice(i, 1).to_pylist()[0]
        ids = {IDENTITY_PREFIX + n: _identity_of(record, n) for n in allowlist.id_columns}
        sha = record_sha256(record) if allowlist.needs_hash else None
        if allowlist.match(sha, ids) is not None:
            freed.add(i)
    return freed


def _identity_of(record: dict[str, Any], path: str) -> str | None:
    from xfilter.output.writer import at_path, identity_value

    return identity_value(at_path(record, path))


def _print_scan(summary: dict[str, Any]) -> None:
    print(
        f"scanned {summary['records']} records of {summary['source']} (policy {summary['policy']})"
    )
    categories, actions = summary["categories"], summary["actions"]
    print("categories: " + (", ".join(f"{c}={n}" for c, n in categories.items()) or "none"))
    print("actions:    " + ", ".join(f"{a}={n}" for a, n in actions.items()))
    print(f"not kept:   {summary['not_kept_rate']:.2%} of records (dropped or quarantined)")
    if summary["released"]:
        print(f"released:   {summary['released']} record(s) by the reviewer's allowlist")
    if summary["withheld_for_opt_out"]:
        print(
            f"{summary['withheld_for_opt_out']} record(s) rejected because an author is on the "
            "opt-out list: not shown, since their rows would reveal who is on it"
        )
    for category, found in summary["examples"].items():
        print(f"\n{category} examples:")
        for example in found:
            if "id" in example:
                where = " ".join(f"{k}={v}" for k, v in example["id"].items())
                where = f"{example['split']} {where}"
            else:
                where = f"{example['split']}[{example['row']}]"
            who = f" authors={','.join(example['authors'])}" if "authors" in example else ""
            print(f"  {where} {example['action']} rules={','.join(example['rules'])}{who}")


def _say_failures(failures: dict[str, Any], rate: float, max_rate: float | None) -> None:
    if failures["categories"]:
        found = ", ".join(failures["categories"])
        print(f"\nfound {found}: failing as asked by --fail-on", file=sys.stderr)
    if failures["actions"]:
        found = ", ".join(failures["actions"])
        print(
            f"\nthe policy would {found} records: failing as asked by --fail-on-action",
            file=sys.stderr,
        )
    if failures["max_rate"]:
        print(
            f"\n{rate:.2%} of records would not be kept, more than --max-rate {max_rate}",
            file=sys.stderr,
        )


def _opt_out_rejection(policy: Any) -> Any:
    """A test for records that only an opt-out of one of their (known) authors rejects."""

    def rejected_for_opt_out(categories: list[str], authors: list[str], action: str) -> bool:
        if action == "keep" or not authors or not policy.opt_out.count:
            return False
        rules = [policy.rules[c] for c in categories]
        decided = [r for r in rules if r not in ("keep", "redact")]
        return bool(decided) and all(r in _BY_AUTHORS for r in decided)

    return rejected_for_opt_out


def _cmd_refresh(args: argparse.Namespace) -> int:
    from xfilter.engines.refresh import refresh

    result = refresh(
        args.directory,
        output=args.output,
        opt_out=args.opt_out,
        deleted=args.deleted or [],
        overwrite=args.overwrite,
    )
    changes = result.manifest["changes"]
    reasons = ", ".join(f"{r}={n}" for r, n in changes["by_reason"].items()) or "none"
    print(f"{changes['removed']} record(s) removed since {args.directory} ({reasons})")
    if changes.get("released_removed"):
        print(
            f"{changes['released_removed']} of them had been released by the allowlist: "
            "X's compliance results remove them all the same"
        )
    _print_summary(result.manifest, result.saved_to)
    _say_allowlist(result.manifest)
    return 0


def _cmd_verify(args: argparse.Namespace) -> int:
    from xfilter.output.verify import verify

    for line in verify(args.directory, quick=args.quick, chain=args.chain or ()):
        print(f"ok  {line}")
    print(f"{args.directory}: verified")
    return 0


def _cmd_publish(args: argparse.Namespace) -> int:
    from xfilter.output.publish import publish

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
    """Tag a one-record table with the pipeline's own code, under the user's policy."""
    from xfilter.detect.ruleset import ALL_RULES
    from xfilter.transform import XFilter

    overrides: dict[str, Any] = {"mode": args.mode} if args.mode else {}
    stored: dict[str, Any] | None = None
    notes: list[str] = []
    if args.source is not None:
        kind, value, table, stored, xf, notes = _explain_stored(args, overrides)
    else:
        kind, value, table = _explain_record(args)
        xf = XFilter.from_config(args.config, **overrides) if args.config else XFilter(**overrides)
    if table is None:  # a dropped record: its text is not kept, only its ledger row
        return _print_dropped(args, stored)
    tags = xf.tagger.tag(table, keep_evidence=True)
    evidence = tags.evidence.get(0, [])
    policy = xf.tagger.policy
    found = [
        {
            "rule": e.rule,
            "category": e.category,
            "detail": e.detail,
            "field": e.field,
            "span": list(e.span) if e.span else None,
            "snippet": _snippet(table, e.field, e.span),
            "authors": list(e.authors),
            "description": ALL_RULES[e.rule].description if e.rule in ALL_RULES else None,
        }
        for e in evidence
    ]
    report: dict[str, Any] = {
        "input": {"kind": kind, "characters": len(value)},
        "mode": policy.mode,
        "policy": policy.name,
        "config": str(args.config) if args.config else None,
        "action": tags.action[0],
        "categories": tags.categories[0],
        "rules": tags.rules[0],
        "authors": tags.authors[0],
        "evidence": found,
    }
    if stored is not None:
        report["stored"] = stored
        report["notes"] = notes
    if args.as_json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    if stored is not None:
        _print_stored(stored, notes)
    else:
        print(f"{kind}: {len(value)} characters")
    print(f"categories: {', '.join(report['categories']) or '(none)'}")
    print(f"authors:    {', '.join(report['authors']) or '(none)'}")
    print(f"action:     {report['action']} under {policy.name}")
    for item in found:
        where = f" ({item['detail']})" if item["detail"] else ""
        where += f" {item['field']}" if item["field"] else ""
        if item["span"] is not None:
            where += f" [{item['span'][0]}:{item['span'][1]}]"
        if item["snippet"] is not None:
            where += f" {item['snippet']!r}"
        print(f"  {item['rule']:<24} {item['category']:<10}{where}")
        if item["description"]:
            print(f"  {'':<24} {item['description']}")
    return 0


def _explain_stored(
    args: argparse.Namespace, overrides: dict[str, Any]
) -> tuple[str, str, Any, dict[str, Any], Any, list[str]]:
    """A record of an output (``--from``): its ledger row and stored text, and the detection
    that explains it, under the recorded config or the user's (``--config``)."""
    from xfilter.config import load_config
    from xfilter.report.spans import SpanFinder, as_table
    from xfilter.report.stored import find_record

    if args.split is None or (args.row is None) == (args.id is None):
        raise XFilterError("--from needs --split and one of --row N or --id VALUE")
    found = find_record(args.source, args.split, row=args.row, id_value=args.id)
    ledger = found.ledger
    stored: dict[str, Any] = {
        "output": str(args.source),
        "split": found.split,
        "row": found.row,
        "set": found.set,
        "recorded": {
            "action": ledger["action"] if ledger else "keep",
            "reason": ledger["reason"] if ledger else "kept",
            "categories": ledger["categories"] if ledger else [],
            "rules": ledger["rules"] if ledger else [],
            "record_sha256": ledger["record_sha256"] if ledger else None,
            "identity": {k: v for k, v in (ledger or {}).items() if k.startswith("id.")},
        },
        "hash_matches": found.hash_matches,
        "text_kept": found.record is not None,
    }
    config = load_config(args.config) if args.config else found.config
    if overrides:
        config = config.with_overrides(overrides, "the command line")
    finder = SpanFinder(config)
    if found.record is None:
        return "record", "", None, stored, finder.xf, finder.notes
    table = as_table([found.record], found.schema)
    value = json.dumps(found.record, ensure_ascii=False, default=str)
    return "record", value, table, stored, finder.xf, finder.notes


def _print_stored(stored: dict[str, Any], notes: list[str]) -> None:
    recorded = stored["recorded"]
    where = stored["set"] or "not kept (dropped)"
    print(f"{stored['output']}: split {stored['split']!r} row {stored['row']} in {where}")
    for name, value in recorded["identity"].items():
        print(f"{name}: {value}")
    print(
        f"recorded:   {recorded['action']} ({recorded['reason']}) "
        f"categories={','.join(recorded['categories']) or '-'} "
        f"rules={','.join(recorded['rules']) or '-'}"
    )
    if stored["hash_matches"] is False:
        print("warning: the stored record no longer has the ledger's record_sha256")
    for note in notes:
        print(f"note: {note}")


def _print_dropped(args: argparse.Namespace, stored: dict[str, Any] | None) -> int:
    assert stored is not None
    message = "a dropped record's text is not kept in an output: only its ledger row is shown"
    if args.as_json:
        print(json.dumps({"stored": stored, "notes": [message]}, ensure_ascii=False, indent=2))
        return 0
    _print_stored(stored, [message])
    return 0


def _explain_record(args: argparse.Namespace) -> tuple[str, str, Any]:
    """The one-record table ``explain`` tags: a text column, a URL column, or a JSON record."""
    import pyarrow as pa

    if args.url is not None:
        return "url", args.url, pa.table({"url": [args.url]})
    if args.json is None:
        return "text", args.text, pa.table({"text": [args.text]})
    try:
        record = json.loads(args.json)
    except (ValueError, RecursionError):
        raise XFilterError("--json: not valid JSON") from None
    if not isinstance(record, dict):
        # Not a record: scanned as a text field holding JSON, as the pipeline would.
        return "json", args.json, pa.table({"text": [args.json]})
    try:
        return "json", args.json, pa.Table.from_pylist([record])
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        # Arrow cannot type it (e.g. mixed lists): a text field holding the JSON, as a
        # loaded dataset stores such a value.
        return "json", args.json, pa.table({"text": [args.json]})


def _snippet(table: Any, field: str | None, span: tuple[int, int] | None) -> str | None:
    if field is None or span is None or field not in table.column_names:
        return None
    value = table.column(field)[0].as_py()
    if not isinstance(value, str):
        return None
    start, end = span
    snippet = value[start:end].replace("\n", " ")
    return snippet if len(snippet) <= 80 else snippet[:77] + "..."


def build_parser() -> argparse.ArgumentParser:
    from xfilter.config import Mode
    from xfilter.vocab import CATEGORIES

    modes = get_args(Mode)
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
    _selection_arguments(run, "override input.")
    run.add_argument("--streaming", action="store_true", help="read, tag and write in one pass")
    run.add_argument("--overwrite", action="store_true", help="replace an earlier xfilter output")
    run.add_argument(
        "--workers",
        type=int,
        default=None,
        help="processes that tag batches (default: one per usable core but one, at least 1)",
    )
    run.add_argument("--num-proc", type=int, default=None, help="the older name of --workers")
    run.add_argument(
        "--engine",
        choices=["local", "ray", "spark"],
        default="local",
        help="where to run (default local)",
    )
    run.add_argument("--ray-address", help="an existing Ray cluster (default: start a local one)")
    run.add_argument("--num-actors", type=int, default=None, help="Ray tagging actors")
    run.add_argument(
        "--spark-master", help="a Spark master when no session is active (default local[2])"
    )
    run.set_defaults(func=_cmd_run)

    scan = commands.add_parser("scan", help="audit a dataset: counts per category; writes nothing")
    scan.add_argument("source", help="demo, a path, a glob or a Hub id")
    scan.add_argument("--mode", choices=modes)
    scan.add_argument("--config", help="take policy settings from this config")
    scan.add_argument("--split", help="only this split")
    _selection_arguments(scan, "")
    scan.add_argument(
        "--fail-on",
        nargs="+",
        metavar="CATEGORY",
        choices=CATEGORIES,
        help="exit 1 when any of these categories is found",
    )
    scan.add_argument(
        "--fail-on-action",
        action="append",
        metavar="ACTION[,ACTION]",
        help="exit 1 when the policy would take any of these actions (drop, quarantine, "
        "redact) on a record; comma list or repeated",
    )
    scan.add_argument(
        "--max-rate",
        type=float,
        metavar="R",
        help="exit 1 when more than this share (0-1) of records would be dropped or quarantined",
    )
    scan.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    scan.add_argument(
        "--id-column",
        action="append",
        metavar="COLUMN",
        help="show examples by this column's value (default: the config's ledger.identity)",
    )
    scan.add_argument("--examples", type=int, default=3, help="examples per category")
    scan.set_defaults(func=_cmd_scan)

    verify = commands.add_parser("verify", help="check an output directory against its manifest")
    verify.add_argument("directory")
    verify.add_argument("--quick", action="store_true", help="skip re-scanning the clean set")
    verify.add_argument(
        "--chain",
        nargs="+",
        metavar="OLDER",
        help="the earlier versions this refreshed output derives from, newest first",
    )
    verify.set_defaults(func=_cmd_verify)

    refresh = commands.add_parser(
        "refresh",
        help="remove what a new opt-out list or X's deletions remove from an output, "
        "without scanning it again",
    )
    refresh.add_argument("directory", help="the output to refresh (it must verify)")
    refresh.add_argument("--output", required=True, help="the new output directory")
    refresh.add_argument("--opt-out", help="the current opt-out list (replaces the recorded one)")
    refresh.add_argument(
        "--deleted",
        action="append",
        metavar="[posts:|users:]FILE",
        help="X's batch compliance results or a plain id list; repeat for more files",
    )
    refresh.add_argument("--overwrite", action="store_true", help="replace an earlier output")
    refresh.set_defaults(func=_cmd_refresh)

    report = commands.add_parser(
        "report", help="write one self-contained HTML page about an output, for reviewers"
    )
    report.add_argument("directory", help="the output to report on")
    report.add_argument(
        "--output",
        metavar="FILE.html",
        help="where the page goes (default: beside the output, <name>-report.html)",
    )
    report.add_argument(
        "--chain",
        nargs="+",
        metavar="OLDER",
        help="the earlier versions of a refreshed output, newest first",
    )
    report.add_argument(
        "--input", help="the run's input, read again to show redacted records before their cut"
    )
    report.add_argument(
        "--verify",
        choices=["quick", "full", "none"],
        default="quick",
        help="the check shown at the top of the page (default: quick)",
    )
    report.set_defaults(func=_cmd_report)

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
    given.add_argument(
        "--from",
        dest="source",
        metavar="OUTPUT",
        help="a record of this output directory (with --split and --row or --id)",
    )
    explain.add_argument("--split", help="with --from: the record's split")
    explain.add_argument("--row", type=int, help="with --from: the record's input row")
    explain.add_argument(
        "--id", help="with --from: the value of one of the output's identity columns"
    )
    explain.add_argument("--mode", choices=modes)
    explain.add_argument(
        "--config", help="decide under this config's policy, overrides and opt-out list"
    )
    explain.add_argument(
        "--as-json", action="store_true", help="print the explanation as one JSON object"
    )
    explain.set_defaults(func=_cmd_explain)
    return parser


def _selection_arguments(parser: argparse.ArgumentParser, override: str) -> None:
    """``--name``, ``--revision``, ``--data-files``, ``--data-dir``: what to read inside a Hub
    dataset or a dataset folder, as ``datasets.load_dataset`` takes them."""
    parser.add_argument("--name", help=f"{override}name: the config (subset) to read")
    parser.add_argument(
        "--revision", help=f"{override}revision: the commit, branch or tag of a Hub dataset"
    )
    parser.add_argument(
        "--data-files",
        nargs="+",
        metavar="PATTERN",
        help=f"{override}data_files: files inside the dataset, read as its train split",
    )
    parser.add_argument("--data-dir", help=f"{override}data_dir: a folder inside the dataset")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        from xfilter.faults import check_settings

        check_settings()
        return int(args.func(args))
    except XFilterError as exc:
        print(f"xfilter: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:
        # The reader went away (``xfilter scan … | head``): stop quietly, as a piped tool does.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
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
        print(f"xfilter: {_interrupted()}", file=sys.stderr)
        return EXIT_INTERRUPTED


def _interrupted() -> str:
    """What a Ctrl-C left: the output, if it was already moved into place, or nothing."""
    write = sys.modules.get("xfilter.output.write")
    committed = getattr(write, "COMMITTED", None)
    if committed:
        return f"interrupted after the output was written: {committed[-1]}"
    return "interrupted; no output was written"


def console() -> None:
    """The ``xfilter`` command. Once ``main`` has its exit code, a Ctrl-C while the interpreter
    shuts down must not turn the outcome into a traceback or a death by signal."""
    code = main()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.exit(code)


if __name__ == "__main__":
    console()
