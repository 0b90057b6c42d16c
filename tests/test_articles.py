"""The article files: read and parsed in order, by one process or several."""

from __future__ import annotations

from tests.conftest import EXTRACTION_HEADER, make_seeds
from tests.test_load import A1, _row


def test_articles_read_by_several_processes_come_out_as_one_process_reads_them(tmp_path, monkeypatch):
    """The article files spread over worker processes (a chunk of files per task): the same items, in the same
    order, as one process reading them, for parsed, unchanged and unreadable files alike."""
    from eventdw.ingest import articles

    seeds = make_seeds(tmp_path, {"a.csv": EXTRACTION_HEADER + _row()})
    articles_dir = seeds / "articles"
    (articles_dir / "empty.txt").write_text("  \n")
    (articles_dir / "latin1.txt").write_bytes("Homs, le 5 d\xe9cembre".encode("latin-1"))
    for number in range(20):
        (articles_dir / f"copy{number:02}.txt").write_bytes((articles_dir / f"{A1}.txt").read_bytes())
    files, rejections = articles.scan_articles(articles_dir)
    assert rejections == []
    unchanged = {item.article_id: item.file_sha256 for item in articles.read_articles(articles_dir, files) if
                 isinstance(item, articles.Article) and item.article_id.startswith("copy1")}  # fmt: skip
    monkeypatch.setattr(articles, "ARTICLE_CHUNK", 3)
    monkeypatch.setattr(articles, "PARALLEL_MINIMUM", 1)

    one = list(articles.read_articles(articles_dir, files, unchanged, workers=1))
    several = list(articles.read_articles(articles_dir, files, unchanged, workers=2))
    assert several == one
    kinds = [type(item).__name__ for item in one]
    assert (kinds.count("Article"), kinds.count("UnchangedArticle"), kinds.count("Rejection")) == (15, 10, 2)
