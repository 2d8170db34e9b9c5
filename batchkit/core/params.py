"""Run parameters: a YAML file validated by a pydantic schema.

An unknown key or a bad value is a `ParamsError` naming the dotted key, so a
typo in `allocation.by_cost_elment` fails loudly instead of being ignored.
Command-line options are applied as overrides before validation.
"""

from __future__ import annotations

import codecs
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import ParamsError
from .params_memo import DEFAULT_PARAMS
from .periods import PERIOD_RE
from .schema import BASES, TABLES


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


def _check_encoding(value: str) -> str:
    if value == "auto":
        return value
    try:
        codecs.lookup(value)
    except LookupError as exc:
        raise ValueError(f"unknown encoding {value!r} (use auto, utf-8, gb18030, ...)") from exc
    return value


def check_basis(value: str) -> str:
    if value in BASES:
        return value
    if value.startswith("driver:") and value[len("driver:") :].strip():
        return value
    raise ValueError(f"unknown basis {value!r}; use one of {', '.join(BASES)} or driver:<name>")


class Source(_Strict):
    """Where one table comes from, when not `<table>.csv|parquet|xlsx` in the data folder."""

    file: str | None = None
    sheet: str | None = None
    columns: dict[str, str] = Field(default_factory=dict)
    encoding: str | None = None
    delimiter: str | None = None
    url: str | None = None
    url_env: str | None = None
    query: str | None = None
    # read by the engine itself, never by this process (docs/SPARK.md, "Inputs the engine reads"): Parquet files
    # (a file, a folder or a URI the engine can open: s3://, abfss://, gs://, dbfs:/) or, on Spark, a catalog table
    path: str | None = None
    spark_table: str | None = None

    _enc = field_validator("encoding")(lambda v: v if v is None else _check_encoding(v))

    @field_validator("delimiter")
    @classmethod
    def _one_char(cls, v: str | None) -> str | None:
        if v is not None and len(v) != 1:
            raise ValueError("delimiter must be one character")
        return v

    @model_validator(mode="after")
    def _file_or_sql(self) -> Source:
        sql = self.query is not None or self.url is not None or self.url_env is not None
        if sql and self.file:
            raise ValueError("give either file or query/url, not both")
        if sql and not self.query:
            raise ValueError("a SQL source needs query")
        if self.query and not (self.url or self.url_env):
            raise ValueError("a SQL source needs url or url_env")
        if self.path is not None and self.spark_table is not None:
            raise ValueError("give either path or spark_table, not both")
        if self.on_engine and (sql or self.file or self.sheet or self.encoding or self.delimiter):
            raise ValueError("path/spark_table is read by the engine: give no file, sheet, encoding, delimiter "
                             "or SQL query with it")
        return self

    @property
    def on_engine(self) -> bool:
        """Whether the engine reads this table itself (`path:` or `spark_table:`), not this process."""
        return self.path is not None or self.spark_table is not None

    @property
    def is_sql(self) -> bool:
        return self.query is not None


class BatchIdRules(_Strict):
    strip: bool = True
    upper: bool = True
    remove: str = "-_ "
    pattern: str = "^[A-Z0-9]+$"

    @field_validator("pattern")
    @classmethod
    def _regex(cls, v: str) -> str:
        try:
            re.compile(v)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from exc
        return v


class Allocation(_Strict):
    default_basis: str = "machine_hours"
    by_cost_element: dict[str, str] = Field(default_factory=dict)
    by_pool: dict[str, str] = Field(default_factory=dict)

    _default = field_validator("default_basis")(lambda v: check_basis(v))

    @field_validator("by_cost_element", "by_pool")
    @classmethod
    def _bases(cls, v: dict[str, str]) -> dict[str, str]:
        for key, basis in v.items():
            try:
                check_basis(basis)
            except ValueError as exc:
                raise ValueError(f"{key}: {exc}") from exc
        return v

    def basis_for(self, pool_id: str, cost_element: str) -> str:
        """Contract 3a: by_pool, else by_cost_element, else default_basis."""
        return self.by_pool.get(pool_id) or self.by_cost_element.get(cost_element) or self.default_basis


BEHAVIORS = ("variable", "fixed")
RATE_PLACES = 6  # decimals a predetermined rate may have (per unit of its basis)


def _rate(key: str, value: Any) -> Decimal:
    """A predetermined rate as an exact decimal (a YAML float is read as the digits it was written with)."""
    if isinstance(value, bool):
        raise ValueError(f"{key}: a rate must be a number, got {value!r}")
    try:
        rate = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{key}: a rate must be a number, got {value!r}") from None
    if not rate.is_finite() or rate < 0:
        raise ValueError(f"{key}: a rate must be a number >= 0, got {value!r}")
    exponent = rate.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > RATE_PLACES:
        raise ValueError(f"{key}: a rate has at most {RATE_PLACES} decimals, got {value!r}")
    return rate


class AbsorptionRates(_Strict):
    by_pool: dict[str, Decimal] = Field(default_factory=dict)
    by_cost_element: dict[str, Decimal] = Field(default_factory=dict)

    @field_validator("by_pool", "by_cost_element", mode="before")
    @classmethod
    def _exact(cls, v: Any) -> Any:
        if not isinstance(v, dict):
            return v
        return {str(k): _rate(str(k), x) for k, x in v.items()}

    def rate_for(self, pool_id: str, cost_element: str) -> Decimal | None:
        """by_pool, else by_cost_element, else none (the pool is allocated at actual)."""
        if pool_id in self.by_pool:
            return self.by_pool[pool_id]
        return self.by_cost_element.get(cost_element)


class Absorption(_Strict):
    """Predetermined overhead rates (issue 17): batches absorb rate x basis; the difference to the actual pool
    is a period cost (`expense`) or charged back to the absorbing batches (`prorate`)."""

    rates: AbsorptionRates = Field(default_factory=AbsorptionRates)
    difference: Literal["expense", "prorate"] = "expense"

    @property
    def active(self) -> bool:
        return bool(self.rates.by_pool or self.rates.by_cost_element)


class Scrap(_Strict):
    normal_rate: float = Field(0.02, ge=0, le=1)


class Variance(_Strict):
    threshold_pct: float = Field(3.0, gt=0)
    robust_z: float = Field(3.5, gt=0)
    window_periods: int = Field(6, ge=1)
    min_batches: int = Field(5, ge=2)


class Audit(_Strict):
    """The audit trail: keep the typed inputs in the cost folder (for `batchkit diff`); require --reason."""

    snapshot_inputs: bool = True
    require_reason: bool = False


class Dates(_Strict):
    """How to read dates that are not ISO (contract 7): YMD (the default) refuses 05/01/2026 as ambiguous;
    DMY reads 25.01.2026 and 05/01/2026 as 5 January; MDY reads 01/25/2026."""

    order: Literal["YMD", "DMY", "MDY"] = "YMD"


SPARK_REMOTE = re.compile(r"^(local(\[[1-9][0-9]*\])?|sc://[^\s;/]+(/.*)?)$")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
UNSHOWN_KEYS = ("engine.spark_remote", "engine.spark_token_env")  # a bad value here may be a token


class EngineSettings(_Strict):
    """The engine the SQL cost model runs on: DuckDB in process (the default), how much memory and how many cores
    it may use (past the limit it spills to a folder inside the output's temporary folder, or a temporary
    directory when there is no output, removed when the run ends), or Apache Spark, local or through Spark
    Connect, with the cluster's token read from an environment variable so that it is never written to a
    manifest or a log (docs/SPARK.md)."""

    memory_limit: str = Field(
        "75%", description="Most memory the engine may hold before it spills to disk: a share of physical memory "
        "(`75%`) or an amount (`8GB`, `512MB`).",
        json_schema_extra={"zh": "引擎可占用的最大内存，超出部分写入磁盘临时文件："
                                 "物理内存的比例（`75%`）或数量（`8GB`、`512MB`）。"})
    threads: int | None = Field(
        None, ge=1, description="Cores the engine may use; empty: all of them.",
        json_schema_extra={"zh": "引擎可使用的 CPU 核数；留空：全部。"})

    name: Literal["duckdb", "spark"] = Field(
        "duckdb", description="The engine: `duckdb` (in process, the default) or `spark` (docs/SPARK.md).",
        json_schema_extra={"zh": "计算引擎：`duckdb`（进程内，默认）或 `spark`（见 docs/SPARK.md）。"})
    spark_remote: str | None = Field(
        None, description="For spark: `local` (the default, a Spark in this process), `local[N]`, or a Spark "
        "Connect URL `sc://host:15002`.",
        json_schema_extra={"zh": "使用 spark 时：`local`（默认，本进程内的 Spark）、`local[N]`，"
                                 "或 Spark Connect 地址 `sc://host:15002`。"})
    spark_token_env: str | None = Field(
        None, description="The name of the environment variable that holds the cluster's token (never the token).",
        json_schema_extra={"zh": "存放集群令牌的环境变量名（绝不是令牌本身）。"})

    @field_validator("memory_limit")
    @classmethod
    def _limit(cls, v: str) -> str:
        v = str(v).strip()
        if not _MEMORY.match(v):
            raise ValueError(f"memory_limit must be a share of memory like '75%' or an amount like '8GB', got {v!r}")
        if v.endswith("%") and not 0 < float(v[:-1]) <= 100:
            raise ValueError(f"memory_limit {v!r}: a share must be above 0% and at most 100%")
        return v

    @field_validator("spark_remote")
    @classmethod
    def _remote(cls, v: str | None) -> str | None:
        if v is None:
            return v
        if "token=" in v.lower():
            raise ValueError("must not hold a token: put it in an environment variable and name it in "
                             "engine.spark_token_env")
        if not SPARK_REMOTE.match(v):
            raise ValueError("use local, local[N] or sc://host:port")
        return v

    @field_validator("spark_token_env")
    @classmethod
    def _env_name(cls, v: str | None) -> str | None:
        if v is not None and not ENV_NAME.match(v):
            raise ValueError("must be the name of an environment variable (letters, digits, _), not its value")
        return v

    @property
    def remote(self) -> str:
        """Spark's remote with its default: `local` when none is given."""
        return self.spark_remote or "local"


_MEMORY = re.compile(r"^(\d+(\.\d+)?%|\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB))$", re.IGNORECASE)


class Params(_Strict):
    period: str | None = None
    data: str | None = None
    currency: str = "CNY"
    language: Literal["en", "zh-CN"] = "en"
    encoding: str = "auto"
    sources: dict[str, Source] = Field(default_factory=dict)
    batch_id: BatchIdRules = Field(default_factory=BatchIdRules)
    allocation: Allocation = Field(default_factory=Allocation)
    scrap: Scrap = Field(default_factory=Scrap)
    variance: Variance = Field(default_factory=Variance)
    audit: Audit = Field(default_factory=Audit)
    dates: Dates = Field(default_factory=Dates)
    cost_behavior: dict[str, Literal["variable", "fixed"]] = Field(default_factory=dict)
    absorption: Absorption = Field(default_factory=Absorption)
    engine: EngineSettings = Field(default_factory=EngineSettings)

    _enc = field_validator("encoding")(lambda v: _check_encoding(v))

    @field_validator("cost_behavior")
    @classmethod
    def _no_subassembly(cls, v: dict[str, str]) -> dict[str, str]:
        if "subassembly" in v:
            raise ValueError("subassembly: a sub-assembly charge carries its sub-batch's own split; it cannot be "
                             "declared variable or fixed")
        return v

    @field_validator("period", mode="before")
    @classmethod
    def _period(cls, v: Any) -> Any:
        if v is None:
            return v
        v = str(v)
        if not PERIOD_RE.match(v):
            raise ValueError(f"period must be YYYY-MM, got {v!r}")
        return v

    @field_validator("sources")
    @classmethod
    def _known_tables(cls, v: dict[str, Source]) -> dict[str, Source]:
        for name in v:
            if name not in TABLES:
                raise ValueError(f"unknown table {name!r}; tables are {', '.join(TABLES)}")
        return v

    @model_validator(mode="after")
    def _engine_reads(self) -> Params:
        from .schema import ENGINE_READ_TABLES

        for name, src in self.sources.items():
            if not src.on_engine:
                continue
            if name not in ENGINE_READ_TABLES:
                raise ValueError(f"sources.{name}: only the transaction tables ({', '.join(ENGINE_READ_TABLES)}) "
                                 "can be read by the engine; master data is read from files or SQL")
            if src.spark_table is not None and self.engine.name != "spark":
                raise ValueError(f"sources.{name}.spark_table needs engine.name: spark")
        return self

    def source(self, table: str) -> Source:
        return self.sources.get(table) or Source()

    def resolved(self) -> dict[str, Any]:
        """The params as recorded in the manifest: SQL URLs with their passwords masked."""
        from .redact import mask_url

        tree = self.model_dump(mode="json")
        for source in tree["sources"].values():
            if source.get("url"):
                source["url"] = mask_url(source["url"])
        return tree


def _set_dotted(tree: dict[str, Any], dotted: str, value: Any) -> None:
    node = tree
    parts = dotted.split(".")
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    node[parts[-1]] = value


def parse_assignment(text: str) -> tuple[str, Any]:
    """`allocation.default_basis=labor_hours` -> (key, YAML-typed value), for `--set`."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise ParamsError(f"--set expects KEY=VALUE, got {text!r}", key=text)
    try:
        value = yaml.safe_load(raw) if raw.strip() else None
    except yaml.YAMLError:
        value = raw
    return key.strip(), value


def params_error(exc: ValidationError, origin: str, origins: dict[str, str] | None = None) -> ParamsError:
    """A pydantic validation error as one ParamsError naming the dotted key (and how many more problems);
    a key that `origins` names (a command-line option) is blamed there."""
    first = exc.errors()[0]
    key = ".".join(str(p) for p in first["loc"])
    # a value given on the command line is blamed there, not on the params file it never came from
    given = next((o for k, o in (origins or {}).items() if key == k or key.startswith(k + ".")), None)
    if given is not None:
        origin = given
    if first["type"] == "extra_forbidden":
        msg = f"{origin}: unknown key {key!r}"
    else:
        text = str(first["msg"]).removeprefix("Value error, ")
        msg = f"{origin}: {text}" if given is not None else f"{origin}: {key}: {text}"
        shown = repr(first.get("input"))
        if key in UNSHOWN_KEYS:  # may hold a cluster token given by mistake: never echoed
            shown = "a value not shown"
        if "input" in first and not isinstance(first["input"], dict) and shown not in text:
            msg += f" (got {shown})"
    more = len(exc.errors()) - 1
    if more:
        msg += f" (and {more} more problem{'s' if more > 1 else ''})"
    return ParamsError(msg, key=key)


def load_params(
    path: str | Path | None = None,
    overrides: dict[str, Any] | None = None,
    origins: dict[str, str] | None = None,
) -> Params:
    """Read a params YAML (default: params/default.yaml when it exists) and apply overrides.

    `overrides` maps dotted keys to values; None values are ignored so that
    unset command-line options do not clobber the file. `origins` names where an
    override came from (`--period`, `--set variance.robust_z`): a bad value is blamed there.
    """
    tree: dict[str, Any] = {}
    origin = "params"
    if path is None and DEFAULT_PARAMS.exists():
        path = DEFAULT_PARAMS
    if path is not None:
        origin = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ParamsError(f"params file not found: {path}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ParamsError(f"cannot read params file {path}: {exc}") from None
        try:
            loaded = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ParamsError(f"{path}: not valid YAML: {exc}") from None
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, dict):
            raise ParamsError(f"{path}: expected a mapping of keys, got {type(loaded).__name__}")
        tree = loaded
    for key, value in (overrides or {}).items():
        if value is not None:
            _set_dotted(tree, key, value)
    try:
        return Params.model_validate(tree)
    except ValidationError as exc:
        given = {k: v for k, v in (origins or {}).items() if (overrides or {}).get(k) is not None}
        raise params_error(exc, origin, given) from None
