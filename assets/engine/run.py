"""Runs a trailwatch query on DuckDB or Spark and writes its rows as JSON lines.

Usage: python3 run.py duckdb|spark QUERY_FILE OUT_FILE [MASTER]

The engine's own client configuration applies (SPARK_HOME, spark-defaults, DuckDB settings):
trailwatch passes no credentials. Spark runs in local mode unless MASTER says otherwise.
"""
import json
import sys


def statements(text):
    body = "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("--"))
    return [s.strip() for s in body.split(";\n") if s.strip().rstrip(";").strip()]


def write(out, columns, rows):
    with open(out, "w", encoding="utf-8") as f:
        for row in rows:
            obj = {}
            for c, v in zip(columns, row):
                obj[c] = "" if v is None else (v if isinstance(v, str) else str(v))
            f.write(json.dumps(obj, ensure_ascii=False) + "\n")


def main():
    engine, query_file, out = sys.argv[1], sys.argv[2], sys.argv[3]
    master = sys.argv[4] if len(sys.argv) > 4 and sys.argv[4] else "local[2]"
    with open(query_file, encoding="utf-8") as f:
        stmts = statements(f.read())
    if engine == "duckdb":
        import duckdb

        con = duckdb.connect()
        con.execute("SET TimeZone = 'UTC'")
        for s in stmts[:-1]:
            con.execute(s)
        cur = con.execute(stmts[-1].rstrip(";"))
        columns = [d[0] for d in cur.description]
        write(out, columns, cur.fetchall())
    elif engine == "spark":
        from pyspark.sql import SparkSession

        builder = (
            SparkSession.builder.master(master)
            .appName("trailwatch")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
        )
        if master.startswith("local"):
            # A laptop or CI runner: a few shuffle partitions, not the cluster default of 200.
            builder = builder.config("spark.sql.shuffle.partitions", "4")
        spark = builder.getOrCreate()
        spark.sparkContext.setLogLevel("ERROR")
        for s in stmts[:-1]:
            spark.sql(s.rstrip(";"))
        df = spark.sql(stmts[-1].rstrip(";"))
        write(out, df.columns, df.collect())
        spark.stop()
    else:
        sys.exit("unknown engine " + engine)


if __name__ == "__main__":
    main()
