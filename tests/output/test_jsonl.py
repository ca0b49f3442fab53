"""Run files: written atomically, and in bounded memory however large the file."""

from __future__ import annotations

import tracemalloc

from pipeline.output.jsonl import read_jsonl, write_jsonl_atomic, write_lines_atomic


def test_jsonl_write_holds_about_a_megabyte_whatever_the_file_size(tmp_path):
    piece = b"x" * (256 * 1024 - 1) + b"\n"  # the merge passes whole shard files like this one

    def pieces():
        for _ in range(64):  # 16 MiB in all
            yield bytes(piece)  # a new object each time, as reading a file gives

    tracemalloc.start()
    try:
        write_lines_atomic(tmp_path / "big.jsonl", pieces())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (tmp_path / "big.jsonl").stat().st_size == 64 * len(piece)
    assert peak < 4 * 1024 * 1024


def test_jsonl_records_round_trip_with_sorted_keys_and_no_temp_file_left(tmp_path):
    path = tmp_path / "run" / "claims.jsonl"
    records = [{"b": 1, "a": "Hyesan"}, {"z": None, "y": [1, 2]}]
    assert write_jsonl_atomic(path, records) == 2
    assert path.read_bytes().splitlines()[0] == b'{"a":"Hyesan","b":1}'
    assert list(read_jsonl(path)) == records
    assert sorted(p.name for p in path.parent.iterdir()) == ["claims.jsonl"]
