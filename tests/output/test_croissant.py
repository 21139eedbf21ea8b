"""The Croissant file of a real output: valid for mlcroissant offline, its records readable from
the relative paths with the manifest's sha256, and its PROV-O provenance parsed as RDF."""

from __future__ import annotations

import copy
import datetime
import json
import shutil
from pathlib import Path
from typing import Any

import mlcroissant as mlc
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import rdflib
from rdflib.namespace import PROV, RDF, XSD

import xfilter
from tests.helpers import REPO
from xfilter.output import writer as outputs
from xfilter.output.croissant import CONFORMS_TO, build_croissant, input_entity
from xfilter.output.layout import CROISSANT

SDO = rdflib.Namespace("https://schema.org/")
RAI = rdflib.Namespace("http://mlcommons.org/croissant/RAI/")


pytestmark = pytest.mark.usefixtures("no_network")


def _manifest(out: Path) -> dict[str, Any]:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def _write_croissant(out: Path) -> Path:
    """What ``write_output`` does after ``manifest.json``: the file beside it."""
    path = out / CROISSANT
    path.write_text(json.dumps(build_croissant(_manifest(out), out), indent=2), encoding="utf-8")
    return path


def _run(tmp_path_factory: pytest.TempPathFactory, name: str, **kwargs: Any) -> Path:
    out = tmp_path_factory.mktemp("croissant") / name
    xfilter.run(str(REPO / "configs/strict.yaml"), output=out, **kwargs)
    return out


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = _run(tmp_path_factory, "strict")
    _write_croissant(out)
    return out


@pytest.fixture(scope="module")
def nested_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A local input with list, struct, integer, float, boolean and timestamp columns."""
    source = tmp_path_factory.mktemp("nested-input")
    table = pa.table(
        {
            "text": ["A quiet week at the harbour.", "See https://x.com/jack/status/20"],
            "tags": [["news", "local"], []],
            "meta": [{"url": "https://news.example.com/a", "words": 6}, None],
            "score": pa.array([0.5, 1.25], pa.float32()),
            "flag": [True, False],
            "n": pa.array([1, 2], pa.int64()),
            "when": pa.array([datetime.datetime(2024, 5, 5), None], pa.timestamp("us")),
        }
    )
    pq.write_table(table, source / "train.parquet")
    out = _run(tmp_path_factory, "nested", input=str(source))
    _write_croissant(out)
    return out


@pytest.fixture(scope="module")
def sharded_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo written in many shards per split (tiny row groups and shard size)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(outputs, "ROW_GROUP_ROWS", 40)
        patch.setattr(outputs, "SHARD_BYTES", 1)
        out = _run(tmp_path_factory, "sharded")
    _write_croissant(out)
    return out


def _dataset(out: Path) -> mlc.Dataset:
    return mlc.Dataset(jsonld=out / CROISSANT)


def _record_counts(out: Path) -> dict[str, int]:
    dataset = _dataset(out)
    return {
        name: sum(1 for _ in dataset.records(record_set=name)) for name in _manifest(out)["splits"]
    }


def _kept(out: Path) -> dict[str, int]:
    return {name: split["kept"] for name, split in _manifest(out)["splits"].items()}


def test_validates_and_reads_the_clean_records(demo_out: Path) -> None:
    dataset = _dataset(demo_out)  # raises mlcroissant.ValidationError on any error
    assert not dataset.metadata.ctx.issues.errors
    assert _record_counts(demo_out) == _kept(demo_out)
    first = next(iter(dataset.records(record_set="train")))
    columns = pq.read_schema(demo_out / "clean/data/train-00000-of-00001.parquet").names
    assert sorted(first) == sorted(f"train/{c}" for c in columns)


def test_file_objects_carry_the_manifest_hashes(demo_out: Path) -> None:
    doc = json.loads((demo_out / CROISSANT).read_text(encoding="utf-8"))
    files = {o["contentUrl"]: o for o in doc["distribution"] if o["@type"] == "cr:FileObject"}
    clean = {e["path"]: e for e in _manifest(demo_out)["outputs"]["files"] if e["set"] == "clean"}
    assert set(files) == set(clean)
    for path, entry in clean.items():
        assert files[path]["sha256"] == entry["sha256"]
        assert files[path]["encodingFormat"] == "application/x-parquet"
        assert (demo_out / path).is_file()  # relative to the Croissant file
    assert doc["conformsTo"] == CONFORMS_TO
    context = doc["@context"]
    assert context["rai"] == "http://mlcommons.org/croissant/RAI/"
    assert context["prov"] == "http://www.w3.org/ns/prov#"
    assert context["cr"] == "http://mlcommons.org/croissant/"


def test_a_modified_clean_file_fails_the_read(demo_out: Path, tmp_path: Path) -> None:
    copy_dir = tmp_path / "copy"
    shutil.copytree(demo_out, copy_dir)
    path = copy_dir / "clean/data/validation-00000-of-00001.parquet"
    table = pq.read_table(path)
    pq.write_table(table.slice(1), path)
    with pytest.raises(Exception) as raised:
        list(_dataset(copy_dir).records(record_set="validation"))
    chain, error = [], raised.value
    while error is not None:
        chain.append(str(error))
        error = error.__cause__ or error.__context__
    assert any("Hash of downloaded file" in message for message in chain), chain


def test_provenance_is_prov_o(demo_out: Path) -> None:
    manifest = _manifest(demo_out)
    graph = rdflib.Graph().parse(data=(demo_out / CROISSANT).read_text(), format="json-ld")
    dataset = next(graph.subjects(RDF.type, SDO.Dataset))
    source = graph.value(dataset, PROV.wasDerivedFrom)
    assert (source, RDF.type, PROV.Entity) in graph
    assert str(graph.value(source, SDO.name)) == "demo"
    run = graph.value(dataset, PROV.wasGeneratedBy)
    assert (run, RDF.type, PROV.Activity) in graph
    assert (run, PROV.used, source) in graph
    started = graph.value(run, PROV.startedAtTime)
    ended = graph.value(run, PROV.endedAtTime)
    assert (str(started), started.datatype) == (manifest["started"], XSD.dateTime)
    assert (str(ended), ended.datatype) == (manifest["created"], XSD.dateTime)
    agent = graph.value(run, PROV.wasAssociatedWith)
    assert (agent, RDF.type, PROV.SoftwareAgent) in graph
    assert str(graph.value(agent, SDO.softwareVersion)) == manifest["tool"]["version"]
    properties = {
        str(graph.value(p, SDO.name)): str(graph.value(p, SDO.value))
        for p in graph.objects(run, SDO.additionalProperty)
    }
    assert properties["mode"] == "strict"
    assert properties["manifest_sha256"] == manifest["manifest_sha256"]
    terms = {str(graph.value(t, SDO.identifier)) for t in graph.objects(run, PROV.used)} - {"None"}
    assert terms == {t["id"] for t in manifest["terms"]}
    protocol = [str(s) for s in graph.objects(dataset, RAI.dataPreprocessingProtocol)]
    assert any("strict policy" in step and "X Developer Agreement" in step for step in protocol)
    assert any("x_post" in step and "reject (quarantine)" in step for step in protocol)


def test_hub_input_is_the_dataset_at_its_revision(demo_out: Path) -> None:
    source = copy.deepcopy(_manifest(demo_out)["input"])
    source.update(source="cardiffnlp/tweet_eval", kind="hub", revision="abc123")
    entity = input_entity(source | {"revision_verified": False})
    assert entity["@id"] == "https://huggingface.co/datasets/cardiffnlp/tweet_eval/tree/abc123"
    assert entity["version"] == "abc123"
    assert "unverified" in entity["description"]
    verified = input_entity(source | {"revision_verified": True})
    assert "verified against the Hub" in verified["description"]


def test_nested_columns_become_arrays_and_subfields(nested_out: Path) -> None:
    doc = json.loads((nested_out / CROISSANT).read_text(encoding="utf-8"))
    (record_set,) = doc["recordSet"]
    fields = {f["name"]: f for f in record_set["field"]}
    assert fields["tags"]["isArray"] is True and fields["tags"]["dataType"] == "sc:Text"
    assert [s["name"] for s in fields["meta"]["subField"]] == ["url", "words"]
    assert fields["score"]["dataType"] == "cr:Float32"
    assert fields["flag"]["dataType"] == "sc:Boolean"
    assert fields["n"]["dataType"] == "cr:Int64"
    assert fields["when"]["dataType"] == "sc:DateTime"
    records = list(_dataset(nested_out).records(record_set="train"))
    assert len(records) == _kept(nested_out)["train"] == 1
    assert records[0]["train/tags"] == [b"news", b"local"]
    assert records[0]["train/meta"]["train/meta/words"] == 6


def test_sharded_splits_are_read_through_a_file_set(sharded_out: Path) -> None:
    files = [e for e in _manifest(sharded_out)["outputs"]["files"] if e["set"] == "clean"]
    assert len([e for e in files if e["split"] == "train"]) > 1
    doc = json.loads((sharded_out / CROISSANT).read_text(encoding="utf-8"))
    objects = [o for o in doc["distribution"] if o["@type"] == "cr:FileObject"]
    assert {o["contentUrl"]: o["sha256"] for o in objects} == {
        e["path"]: e["sha256"] for e in files
    }
    assert any(o["@type"] == "cr:FileSet" for o in doc["distribution"])
    assert _record_counts(sharded_out) == _kept(sharded_out)
