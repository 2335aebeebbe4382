"""``/api/v1/downloads``: the open datasets as whole files, in CSV, JSON and Parquet.

``GET /api/v1/downloads`` is the catalogue; ``GET /api/v1/downloads/{dataset}.{format}`` is one
file (``posts.csv``: the URL reads as the file's name). CSV and JSON are streamed as they are read
from the store, a batch at a time, so a download's memory does not grow with the table; Parquet needs
its footer written last, so it is built first in a spooled temporary file (in memory up to
``SPOOL_BYTES``, on disk beyond) and then streamed. Streamed answers carry no ETag (the caching
middleware passes them through) but do carry ``Cache-Control``.

CSV is for spreadsheets: UTF-8 with a byte order mark (Excel opens UTF-8 correctly only with one),
and text cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return) get a leading ``'``, as OWASP advises. Numbers, dates and JSON cells are
never changed, and JSON and Parquet keep every text as stored.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
import tempfile
from collections.abc import Iterator
from typing import IO, Annotated, Any
from urllib.parse import urlencode

import pyarrow as pa
import pyarrow.parquet as pq
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session, sessionmaker

from govsocial.analyze.metrics.params import configured
from govsocial.csvsafe import protect
from govsocial.errors import NotFoundError
from govsocial.settings import Settings
from govsocial.store.open_data import BATCH, DATASETS, Column, Dataset, Kind, Row, Scope
from govsocial.web.api import checks
from govsocial.web.deps import SessionDep, SettingsDep, get_state
from govsocial.web.schemas import ErrorBody

router = APIRouter(prefix="/downloads", tags=["downloads"])
BASE = "/api/v1/downloads"

#: Downloads change only after a collection run and a metrics refresh, like the rest of the API.
CACHE_CONTROL = "public, max-age=60"
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "parquet": "application/vnd.apache.parquet",
}
LICENCE = (
    "Published government information and govsocial's computed metrics: every registry row names its "
    "public source (evidence_url), the posts are the government's own public posts, and the metrics "
    "are computed from them as /how-we-measure explains. Reuse them freely, citing those sources and "
    "this directory. Comments and commenters are never included."
)
#: Parquet files smaller than this are built in memory; larger ones spill to a temporary file.
SPOOL_BYTES = 16 * 2**20
CHUNK_BYTES = 64 * 2**10
PARQUET_TYPES: dict[Kind, pa.DataType] = {
    Kind.TEXT: pa.string(),
    Kind.JSON: pa.string(),
    Kind.INTEGER: pa.int64(),
    Kind.NUMBER: pa.float64(),
    Kind.BOOLEAN: pa.bool_(),
    Kind.DATE: pa.date32(),
    Kind.DATETIME: pa.timestamp("us", tz="UTC"),
}


class ColumnPublic(BaseModel):
    """A column of a dataset."""

    name: str
    kind: str = Field(description="text, integer, number, boolean, date, datetime or json (JSON as text).")
    description: str


class FilePublic(BaseModel):
    """One format of a dataset."""

    format: str = Field(description="csv, json or parquet.")
    media_type: str
    url: str


class DatasetPublic(BaseModel):
    """A downloadable dataset: what it holds, how many rows, where to get it."""

    name: str
    description: str
    count: int = Field(description="Rows in the dataset now (the number each file holds).")
    columns: list[ColumnPublic]
    files: list[FilePublic]


class Catalogue(BaseModel):
    """Every open dataset of one jurisdiction."""

    jurisdiction: str
    params: str = Field(description="Digest of the metric parameters of metric_values.")
    parameters: dict[str, Any] = Field(
        description="The metric parameters that digest stands for: this deployment's (docs/metrics.md)."
    )
    licence: str
    data: list[DatasetPublic]
    count: int = Field(description="Number of datasets.")


JurisdictionQuery = Annotated[str | None, Query(description="Jurisdiction code; the default one if omitted.")]
# Plain text rather than enums, so that a name that is not there is a 404 like any other missing thing.
DatasetPath = Annotated[
    str, Path(description="organisations, accounts, metric_values or posts.", examples=["posts"])
]
FormatPath = Annotated[str, Path(description="csv, json or parquet.", examples=["csv"])]
FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The whole dataset as one file.",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "data": {"type": "array", "items": {"type": "object"}},
                        "count": {"type": "integer"},
                    },
                    "required": ["data", "count"],
                }
            },
            "application/vnd.apache.parquet": {"schema": {"type": "string", "format": "binary"}},
        },
    },
    404: {"model": ErrorBody, "description": "No such dataset, format or jurisdiction."},
}
CATALOGUE_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "No such jurisdiction."}
}


# --- the catalogue ------------------------------------------------------------------------------


def scope_of(session: Session, settings: Settings, jurisdiction: str | None) -> Scope:
    """The rows a download holds: the jurisdiction asked (it must be in the registry) or the default
    one, and the configured metric parameters."""
    return Scope(checks.jurisdiction(session, settings, jurisdiction), configured(settings).digest())


def file_url(name: str, fmt: str, jurisdiction: str | None = None) -> str:
    """Where a dataset's file is; ``jurisdiction`` only when it is not the default."""
    return f"{BASE}/{name}.{fmt}" + (f"?{urlencode({'jurisdiction': jurisdiction})}" if jurisdiction else "")


def dataset_public(session: Session, dataset: Dataset, scope: Scope, asked: str | None) -> DatasetPublic:
    """A dataset's catalogue entry, with its current row count."""
    return DatasetPublic(
        name=dataset.name,
        description=dataset.description,
        count=dataset.count(session, scope),
        columns=[
            ColumnPublic(name=c.name, kind=str(c.kind), description=c.description) for c in dataset.columns
        ],
        files=[
            FilePublic(format=f, media_type=m, url=file_url(dataset.name, f, asked))
            for f, m in MEDIA_TYPES.items()
        ],
    )


@router.get("", summary="The open datasets", responses=CATALOGUE_RESPONSES)
def list_downloads(
    session: SessionDep, settings: SettingsDep, jurisdiction: JurisdictionQuery = None
) -> Catalogue:
    """Every dataset that can be downloaded whole, with its columns, row count and file addresses."""
    scope = scope_of(session, settings, jurisdiction)
    data = [dataset_public(session, d, scope, jurisdiction) for d in DATASETS.values()]
    return Catalogue(
        jurisdiction=scope.jurisdiction,
        params=scope.params,
        parameters=configured(settings).model_dump(mode="json"),
        licence=LICENCE,
        data=data,
        count=len(data),
    )


# --- one file -----------------------------------------------------------------------------------


@router.get("/{dataset}.{fmt}", summary="One dataset as a file", responses=FILE_RESPONSES)
def download(
    request: Request, session: SessionDep, settings: SettingsDep, dataset: DatasetPath, fmt: FormatPath,
    jurisdiction: JurisdictionQuery = None,
) -> StreamingResponse:  # fmt: skip
    """The whole dataset in ``fmt`` (csv, json or parquet), e.g. ``posts.csv``; see the catalogue."""
    found = DATASETS.get(dataset)
    if found is None or fmt not in MEDIA_TYPES:
        raise NotFoundError(f"no download {dataset}.{fmt}; the list is at {BASE}")
    scope = scope_of(session, settings, jurisdiction)
    headers = {
        "Content-Disposition": f'attachment; filename="{_filename(found, scope, fmt)}"',
        "Cache-Control": CACHE_CONTROL,
    }
    if fmt == "parquet":
        file = parquet_file(session, found, scope)
        headers["Content-Length"] = str(_size(file))
        body = _chunks(file)
    else:
        # The session of the request may be closed before the body is sent: the stream opens its own.
        sessions = get_state(request).sessions
        body = _stream(sessions, found, scope, fmt)
    return StreamingResponse(body, media_type=MEDIA_TYPES[fmt], headers=headers)


def _filename(dataset: Dataset, scope: Scope, fmt: str) -> str:
    """``govsocial-hk-posts.csv``: only safe characters, since the jurisdiction comes from the query."""
    jurisdiction = re.sub(r"[^A-Za-z0-9_-]", "", scope.jurisdiction)[:32] or "unknown"
    return f"govsocial-{jurisdiction}-{dataset.name}.{fmt}"


def _stream(sessions: sessionmaker[Session], dataset: Dataset, scope: Scope, fmt: str) -> Iterator[bytes]:
    with sessions() as session:
        yield from (csv_lines if fmt == "csv" else json_lines)(
            dataset, dataset.batches(session, scope, BATCH)
        )


# --- CSV ----------------------------------------------------------------------------------------


def csv_cell(value: Any, kind: Kind) -> str:
    """A cell as CSV text: empty for None; text that would start a formula gets a leading ``'``."""
    if value is None:
        return ""
    if kind is Kind.TEXT:
        return protect(str(value))
    return _plain(value)


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return _iso(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _iso(moment: dt.datetime) -> str:
    """UTC, with the offset as ``Z`` like the rest of the API."""
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def csv_lines(dataset: Dataset, batches: Iterator[list[Row]]) -> Iterator[bytes]:
    """The dataset as CSV (RFC 4180, CRLF line ends), a BOM and the header first, one chunk per batch."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(dataset.column_names)
    yield "\ufeff".encode() + _drain(buffer)
    kinds = [c.kind for c in dataset.columns]
    for batch in batches:
        writer.writerows([csv_cell(v, k) for v, k in zip(row, kinds, strict=True)] for row in batch)
        yield _drain(buffer)


def _drain(buffer: io.StringIO) -> bytes:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text.encode("utf-8")


# --- JSON ---------------------------------------------------------------------------------------


def json_value(value: Any) -> Any:
    """A cell as a JSON value: dates and times as ISO text, a non-finite number as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dt.datetime):
        return _iso(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def json_lines(dataset: Dataset, batches: Iterator[list[Row]]) -> Iterator[bytes]:
    """The dataset as the API's envelope, ``{"data": [{...}, ...], "count": N}``, one object a line;
    ``count`` comes last because it is the number of rows actually sent."""
    names = dataset.column_names
    yield b'{"data": ['
    count = 0
    for batch in batches:
        lines = [
            ("\n" if count + i == 0 else ",\n")
            + json.dumps(dict(zip(names, map(json_value, row), strict=True)), ensure_ascii=False)
            for i, row in enumerate(batch)
        ]
        count += len(batch)
        yield "".join(lines).encode("utf-8")
    yield f'\n], "count": {count}}}\n'.encode()


# --- Parquet ------------------------------------------------------------------------------------


def parquet_schema(columns: tuple[Column, ...]) -> pa.Schema:
    """The Parquet schema of a dataset: one typed, nullable field per column."""
    return pa.schema([pa.field(c.name, PARQUET_TYPES[c.kind]) for c in columns])


def parquet_file(session: Session, dataset: Dataset, scope: Scope) -> IO[bytes]:
    """The dataset as a Parquet file, one row group per batch, rewound; the caller closes it."""
    schema = parquet_schema(dataset.columns)
    sink: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (streamed, then closed)
    with pq.ParquetWriter(sink, schema) as writer:
        for batch in dataset.batches(session, scope, BATCH):
            columns = list(zip(*batch, strict=True))
            arrays = [pa.array(col, type=field.type) for col, field in zip(columns, schema, strict=True)]
            writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
    sink.seek(0)
    return sink


def _size(file: IO[bytes]) -> int:
    """The length of a rewound file (left rewound)."""
    size = file.seek(0, io.SEEK_END)
    file.seek(0)
    return size


def _chunks(file: IO[bytes]) -> Iterator[bytes]:
    """A file's bytes in chunks, closing it at the end or when the client goes away."""
    with file:
        while chunk := file.read(CHUNK_BYTES):
            yield chunk
