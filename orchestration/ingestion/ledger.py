"""Reconciliation of the delivery ledger against what is stored (DELIVERIES.md "Nothing lost").

Independent of how ingestion counted: per file, the lines and amounts read equal those accepted
plus those quarantined, and the ledger's accepted and quarantined figures equal the rows actually
in the raw table and the quarantine, to the line and to the øre. A line replaced by a correction
stays accepted and stored; the ledger counts it apart (`linjer_erstattet`), as the raw table marks it.
"""

from __future__ import annotations

import duckdb

from orchestration.ingestion.sources import Source


def reconcile(con: duckdb.DuckDBPyConnection, source: Source) -> list[str]:
    """The files whose ledger row does not reconcile, each with what differs (empty: all good)."""
    amount = source.amount or "null::decimal(18, 2)"
    replaced = "count(*) filter (where erstattet_koersel is not null)" if source.identity else "0"
    rows = con.execute(
        f"""
        with stored as (
            select leverance_id, count(*) as n, sum({amount}) as b, {replaced} as r
            from raw.{source.table} group by 1
        ),
        quarantined as (
            select leverance_id, count(*) as n, sum(beloeb) as b
            from raw.karantaene where kilde = $kilde and status <> 'frigivet' group by 1
        )
        select
            l.fil,
            l.linjer_laest, l.linjer_accepteret, l.linjer_karantaene,
            coalesce(s.n, 0), coalesce(q.n, 0),
            coalesce(l.beloeb_laest, 0), coalesce(l.beloeb_accepteret, 0), coalesce(l.beloeb_karantaene, 0),
            coalesce(s.b, 0), coalesce(q.b, 0),
            l.linjer_erstattet, coalesce(s.r, 0)
        from raw.leverancer as l
        left join stored as s using (leverance_id)
        left join quarantined as q using (leverance_id)
        where l.kilde = $kilde and l.status = 'indlaest'
        order by l.fil
        """,
        {"kilde": source.key},
    ).fetchall()
    problems = []
    orphans = con.execute(
        f"""select count(*) from raw.{source.table}
            where leverance_id not in (
                select leverance_id from raw.leverancer where kilde = $kilde and status = 'indlaest'
            )""",
        {"kilde": source.key},
    ).fetchall()[0][0]
    if orphans:
        problems.append(f"raw.{source.table}: {orphans} rows belong to no delivery in the ledger")
    for fil, read, accepted, quarantined, stored, kept, b_read, b_acc, b_quar, b_stored, b_kept, repl, marked in rows:
        if read != accepted + quarantined:
            problems.append(f"{fil}: {read} linjer læst, men {accepted} accepteret + {quarantined} i karantæne")
        if accepted != stored:
            problems.append(f"{fil}: hovedbogen siger {accepted} accepteret, rå-tabellen har {stored}")
        if quarantined != kept:
            problems.append(f"{fil}: hovedbogen siger {quarantined} i karantæne, karantænen har {kept}")
        if b_read != b_acc + b_quar:
            problems.append(f"{fil}: beløb læst {b_read} ≠ accepteret {b_acc} + karantæne {b_quar}")
        if b_acc != b_stored or b_quar != b_kept:
            problems.append(f"{fil}: beløb i hovedbogen ({b_acc}, {b_quar}) ≠ lagret ({b_stored}, {b_kept})")
        if repl != marked:  # replaced lines stay stored and accepted: counted apart
            problems.append(f"{fil}: hovedbogen siger {repl} erstattet, rå-tabellen har {marked}")
    return problems


def summary(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """Per source: files by status, lines read / accepted / in quarantine, T lines still waiting."""
    return con.execute(
        """
        select
            kilde,
            count(*) filter (where status = 'indlaest') as filer,
            count(*) filter (where status = 'fejlet') as fejlet,
            coalesce(sum(linjer_laest), 0) as laest,
            coalesce(sum(linjer_accepteret), 0) as accepteret,
            coalesce(sum(linjer_karantaene), 0) as karantaene,
            (select count(*) from raw.karantaene as k where k.kilde = l.kilde and k.status = 'afventer') as venter
        from raw.leverancer as l
        group by kilde
        order by kilde
        """
    ).fetchall()
