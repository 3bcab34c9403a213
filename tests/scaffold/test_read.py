"""Tests of :mod:`cxtemplate.scaffold.read`: which files are data, their encoding and delimiter (sniffed from
hand-made bytes), the thinned samples and the errors a consultant sees."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxtemplate.scaffold.read import (
    ScaffoldError,
    inspect_folder,
    read_column,
    read_samples,
    sniff_delimiter,
    sniff_encoding,
    thin,
)


def test_sniffing(tmp_path):
    (tmp_path / "bom.csv").write_bytes(b"\xef\xbb\xbfa,b\n1,2\n")
    (tmp_path / "plain.csv").write_bytes("a,b\ncaf\u00e9,2\n".encode())
    (tmp_path / "latin.csv").write_bytes("a,b\ncaf\u00e9,2\n".encode("latin-1"))
    assert [sniff_encoding(tmp_path / f)[0] for f in ("bom.csv", "plain.csv", "latin.csv")] == \
        ["utf-8-sig", "utf-8", "latin-1"]
    assert sniff_delimiter("a;b;c\n1;2;3\n", ".csv") == ";"
    assert sniff_delimiter("a\tb\n1\t2\n", ".tsv") == "\t"
    assert sniff_delimiter("a|b\n1|2\n", ".txt") == "|"


@pytest.mark.parametrize("raw, encoding, why", [
    (b"a,b\n1,2\n", "utf-8", ""),                                              # plain ASCII
    ("a,b\n\u201cquoted\u201d caf\u00e9,2\n".encode("cp1252"), "cp1252", "byte 4 is not UTF-8; Windows-1252 reads it"),
    ("a,b\ncaf\u00e9,2\n".encode("latin-1"), "latin-1", "byte 7 is not UTF-8"),      # é = 0xE9 at offset 7
    (b"a,b\n\x81x,2\n", "latin-1", "byte 4 is not UTF-8"),                   # 0x81 is undefined in cp1252
    ("a,b\n1,2\n".encode("utf-16"), "utf-16", "UTF-16 byte-order mark"),
])
def test_encodings_of_hand_made_bytes(tmp_path, raw, encoding, why):
    (tmp_path / "f.csv").write_bytes(raw)
    got, reason = sniff_encoding(tmp_path / "f.csv")
    assert got == encoding and why in reason
    if encoding != "utf-16":
        raw.decode(encoding)                  # the answer reads the bytes


def test_a_character_cut_by_the_sniffing_limit_is_still_utf8(tmp_path):
    raw = "ab,é\n".encode()                  # é = C3 A9: the limit of 4 bytes cuts it in half
    (tmp_path / "f.csv").write_bytes(raw)
    assert sniff_encoding(tmp_path / "f.csv", limit=4)[0] == "utf-8"


@pytest.mark.parametrize("text, suffix, delimiter", [
    ("a,b,c\n1,2,3\n", ".csv", ","),
    ('name;note\n"x,y";1\n"a,b";2\n', ".csv", ";"),          # commas inside quoted fields do not count
    ("a b\tc\n1 2\t3\n", ".txt", "\t"),
    ("single\n1\n2\n", ".csv", ","),                          # one column: the suffix's default
    ("single\n1\n", ".tsv", "\t"),
    ("", ".csv", ","),
])
def test_delimiters_of_hand_written_text(text, suffix, delimiter):
    assert sniff_delimiter(text, suffix) == delimiter


def test_thin_keeps_the_head_and_a_seeded_draw_in_file_order():
    frame = pd.DataFrame({"x": np.arange(10_000)})
    assert thin(frame.head(50), k=100).equals(frame.head(50))                 # small files are kept whole
    t = thin(frame, k=2000, head=500, seed=0)
    assert len(t) == 2000 and t.index.is_unique and t.index.is_monotonic_increasing
    assert (t.index[:500] == np.arange(500)).all() and t.index[-1] > 5000     # the tail is sampled too
    assert t["x"].tolist() == t.index.tolist()                                 # rows keep their file position
    assert thin(frame, k=2000, head=500, seed=0).index.equals(t.index)
    assert not thin(frame, k=2000, head=500, seed=1).index.equals(t.index)


def test_inspect_folder_skips_hidden_and_lock_files_and_lists_the_rest(tmp_path):
    pd.DataFrame({"a": [1, 2]}).to_csv(tmp_path / "good.csv", index=False)
    (tmp_path / ".hidden.csv").write_text("a\n1\n")
    (tmp_path / "~$lock.xlsx").write_bytes(b"")
    (tmp_path / "broken.xlsx").write_bytes(b"not a workbook")
    (tmp_path / "notes.md").write_text("x")
    found = inspect_folder(tmp_path)
    assert [s.path.name for s in found.samples] == ["good.csv"]
    assert list(found.unreadable) == ["broken.xlsx"] and found.ignored == ["notes.md"]
    with pytest.raises(ScaffoldError, match="data folder not found"):
        inspect_folder(tmp_path / "nope")


def test_samples_and_columns_of_a_semicolon_latin1_file(tmp_path):
    text = "id;ville\n" + "".join(f"{i};Orl\u00e9ans\n" for i in range(30))
    (tmp_path / "f.csv").write_bytes(text.encode("latin-1"))
    (sample,) = read_samples(tmp_path / "f.csv")
    assert (sample.kind, sample.encoding, sample.delimiter, sample.label) == ("csv", "latin-1", ";", "f.csv")
    assert list(sample.frame.columns) == ["id", "ville"] and (sample.frame["ville"] == "Orléans").all()
    assert read_column(sample, "ville").tolist() == ["Orléans"] * 30
    (tmp_path / "f.csv").unlink()              # the file gone: the sample's column stands in
    assert read_column(sample, "id").tolist() == list(range(30))


def test_every_sheet_of_a_workbook_is_a_sample(tmp_path):
    with pd.ExcelWriter(tmp_path / "book.xlsx") as xl:
        pd.DataFrame({"a": [1, 2]}).to_excel(xl, sheet_name="One", index=False)
        pd.DataFrame({"b": ["x"]}).to_excel(xl, sheet_name="Two", index=False)
    samples = read_samples(tmp_path / "book.xlsx")
    assert [(s.sheet, s.label, list(s.frame.columns)) for s in samples] == [
        ("One", "book.xlsx [sheet One]", ["a"]), ("Two", "book.xlsx [sheet Two]", ["b"])]
