"""Simulate citizens' benefit histories and write what each source would deliver about them.

One citizen at a time, from their own random stream (seed, citizen number), so that any shard of
the population can be generated alone, in any process, with the same bytes as a result.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field, replace
from datetime import date

from orchestration.generator import behaviour as bh
from orchestration.generator.calendar import (
    iso,
    last_weekday_on_or_before,
    monday,
    month_end,
    next_month_start,
    year_of,
)
from orchestration.generator.files import (
    PartWriter,
    dfdg_name,
    eindkomst_name,
    maf_name,
    yumu_name,
)
from orchestration.lib.cpr import century_digits
from orchestration.lib.money import format_øre
from orchestration.lib.reference import ydelse_version

HISTORY_YEARS = 4  # simulated before `fra`, so that spells running at `fra` have their past
HISTORY_CAP_YEARS = 1  # of which at most this much is delivered (the staircase's recent past)
MAF_START, MAF_END = (date.fromisoformat(d).toordinal() for d in bh.MAF_WINDOW)
SATS_BASE_YEAR = 2014  # weekly amounts rise 2 % a year from here (satsregulering)


@dataclass(frozen=True)
class Options:
    kommuner: tuple[str, ...]
    borgere: int
    fra: date
    til: date
    seed: int

    @property
    def sim_start(self) -> int:
        return date(self.fra.year - HISTORY_YEARS, self.fra.month, 1).toordinal()

    @property
    def birth_years(self) -> tuple[int, int]:
        """Citizens are 18 to 66 years old somewhere in the range."""
        return self.til.year - 66, self.fra.year - 18

    @property
    def last_delivery(self) -> int:
        """The latest eIndkomst delivery: payments for `til`'s month can be made the month after."""
        return next_month_start(next_month_start(self.til.toordinal())) + 4

    @property
    def maf_delivery(self) -> date:
        """STAR delivered its MAF lines on 3 May 2023 (the seed's MAF20230503.txt)."""
        return min(date(2023, 5, 3), self.til)


def citizen_rng(seed: int, number: int) -> random.Random:
    digest = hashlib.blake2b(f"{seed}/{number}".encode(), digest_size=8).digest()
    return random.Random(int.from_bytes(digest, "big"))


def pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


@dataclass(slots=True)
class Spell:
    kode: str
    start: int
    end: int
    weekly_øre: int


@dataclass(slots=True)
class Payment:
    """One eIndkomst line as the generator knows it."""

    id: str
    kode: str
    kontoart: str
    se: str
    kommune: str
    cpr_nummer: str
    udloesende: str
    start: int
    end: int
    øre: int
    delivered: int
    reversed: bool = False


class CprAllocator:
    """Unique, valid CPR numbers (RULES.md 8, no modulus 11) without a global registry: shard `k`
    of `n` takes serial numbers k, k+n, k+2n, … of each birth date."""

    def __init__(self, shard: int, shards: int) -> None:
        self.shard, self.shards = shard, shards
        self.used: dict[int, int] = {}

    def allocate(self, born: int) -> str:
        while True:
            d = date.fromordinal(born)
            digits = century_digits(d.year)
            count = self.used.get(born, 0)
            index = self.shard + self.shards * count
            if index < 1000 * len(digits):
                self.used[born] = count + 1
                # A bijection of the index onto (digit 7, last three digits), scrambled per date
                # so that serial numbers look like issued ones rather than 0000, 0001, …
                digit = digits[(index + born) % len(digits)]
                rest = ((index // len(digits)) * 337 + born * 613) % 1000
                return f"{d:%d%m%y}{digit}{rest:03d}"
            born += 1  # this date is full in this shard: the next day


@dataclass
class ShardStats:
    borgere: int = 0
    lines: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, n: int = 1) -> None:
        self.lines[kind] = self.lines.get(kind, 0) + n


class Shard:
    """Generates citizens `first`..`last-1` into a PartWriter."""

    def __init__(self, options: Options, shard: int, shards: int, writer: PartWriter) -> None:
        self.o = options
        self.shard = shard
        self.writer = writer
        self.cprs = CprAllocator(shard, shards)
        self.stats = ShardStats()
        self._seq = 0
        self._reg_seq = 0
        self.fra, self.til = options.fra.toordinal(), options.til.toordinal()
        weights = {k: float(bh.INHABITANTS_K[k]) for k in options.kommuner}
        self.kommune_weights = weights
        lo, hi = options.birth_years
        self.born_range = (date(lo, 1, 1).toordinal(), date(hi, 12, 31).toordinal())
        self.kommune_se = {k: f"29{int(k):03d}{int(k) % 97:03d}" for k in options.kommuner}

    # ---- identifiers -------------------------------------------------------------------------
    def next_id(self) -> str:
        self._seq += 1
        return str((self.shard + 1) * 1_000_000_000 + self._seq)

    # ---- one citizen -------------------------------------------------------------------------
    def citizen(self, number: int) -> None:
        rng = citizen_rng(self.o.seed, number)
        cpr = self.cprs.allocate(rng.randint(*self.born_range))
        spells = self._spells(rng)
        moves = self._moves(rng, spells)
        payments = self._eindkomst(rng, cpr, spells, moves)
        self._maf(rng, cpr, spells, moves)
        self._yumu(rng, cpr, payments)
        self._dfdg(rng, cpr, spells, moves)
        self.stats.borgere += 1

    def _spells(self, rng: random.Random) -> list[Spell]:
        """Spells of benefit and self-support from the history start; those touching the range
        (and the ones chained to them by short gaps) are delivered."""
        for _attempt in range(50):
            spells = self._simulate(rng)
            chosen = self._delivered(spells)
            if chosen:
                return chosen
        start = rng.randint(self.fra, self.til)
        return [Spell("SDP", start, min(start + 27, self.til), self._weekly(rng, "SDP", {}))]

    def _weekly(self, rng: random.Random, kode: str, rates: dict[str, int]) -> int:
        if kode not in rates:
            lo, hi = bh.BEHAVIOUR[kode].weekly_kr
            rates[kode] = rng.randint(lo * 100, hi * 100)
        return rates[kode]

    def _simulate(self, rng: random.Random) -> list[Spell]:
        spells: list[Spell] = []
        rates: dict[str, int] = {}
        t = self.o.sim_start + rng.randrange(540)
        kode = pick(rng, bh.FIRST_SPELL)
        while t <= self.til:
            b = bh.BEHAVIOUR[kode]
            if rng.random() < 0.03:  # a few days only: partial weeks (RULES.md 9.4)
                days = rng.randint(1, 6)
            else:
                weeks = min(max(rng.lognormvariate(0, 0.8) * b.median_weeks, b.min_weeks), b.max_weeks)
                days = max(1, round(weeks * 7) + rng.randint(-3, 3))
            spell = Spell(kode, t, t + days - 1, self._weekly(rng, kode, rates))
            spells.append(spell)
            if kode in ("KTH", "UDH", "SHY") and rng.random() < bh.ONE_OFF_HELP_SHARE:
                spells.append(self._one_off(rng, rng.randint(spell.start, spell.end), rates))
            nxt = pick(rng, b.next)
            if nxt != bh.WORK:
                t, kode = spell.end + 1, nxt
                continue
            gap = rng.choices([g for _, g in bh.GAPS], weights=[w for w, _ in bh.GAPS])[0]
            if gap is None:
                break
            gap_days = rng.randint(*gap) * 7 + rng.randint(-3, 3)
            if rng.random() < 0.05:  # help that does not break self-support, between spells
                spells.append(self._one_off(rng, spell.end + 1 + rng.randrange(max(gap_days, 1)), rates))
            t, kode = spell.end + 1 + max(gap_days, 1), pick(rng, bh.FIRST_SPELL)
        spells.sort(key=lambda s: (s.start, s.kode))
        return spells

    def _one_off(self, rng: random.Random, start: int, rates: dict[str, int]) -> Spell:
        rates.pop("HST", None)  # every one-off amount is its own
        return Spell("HST", start, start + rng.randint(0, 2), self._weekly(rng, "HST", rates))

    def _delivered(self, spells: list[Spell]) -> list[Spell]:
        inside = [i for i, s in enumerate(spells) if s.start <= self.til and s.end >= self.fra]
        if not inside:
            return []
        first = inside[0]
        while first > 0 and spells[first - 1].end >= spells[first].start - 26 * 7:
            first -= 1
        last = inside[-1]
        cap = date(self.o.fra.year - HISTORY_CAP_YEARS, self.o.fra.month, 1).toordinal()
        return [
            Spell(s.kode, max(s.start, cap), min(s.end, self.til), s.weekly_øre)
            for s in spells[first : last + 1]
            if s.start <= self.til and s.end >= cap
        ]

    def _moves(self, rng: random.Random, spells: list[Spell]) -> list[tuple[int, str]]:
        """The municipality a citizen lives in from each date on; a few move once or twice."""
        home = pick(rng, self.kommune_weights)
        moves = [(0, home)]
        if len(self.kommune_weights) > 1 and rng.random() < bh.MOVE_SHARE:
            day = rng.randint(spells[0].start, self.til)
            for _ in range(2 if rng.random() < 0.15 else 1):
                others = {k: w for k, w in self.kommune_weights.items() if k != moves[-1][1]}
                moves.append((day, pick(rng, others)))
                day = rng.randint(day, self.til)
        return moves

    # ---- eIndkomst ---------------------------------------------------------------------------
    @staticmethod
    def _pieces(start: int, end: int, moves: list[tuple[int, str]]) -> list[tuple[int, int, str]]:
        """Cut a period at the days the citizen moved: the new municipality pays from then."""
        out = []
        for i, (day, kommune) in enumerate(moves):
            until = moves[i + 1][0] - 1 if i + 1 < len(moves) else end
            s, e = max(start, day), min(end, until)
            if s <= e:
                out.append((s, e, kommune))
        return out

    @staticmethod
    def _periods(spell: Spell, cadence: str) -> list[tuple[int, int]]:
        if cadence == "oneoff":
            return [(spell.start, spell.end)]
        out, s = [], spell.start
        anchor = monday(spell.start)
        while s <= spell.end:
            # Calendar months, or 14-day periods from the Monday of the spell's start (they cross months).
            e = month_end(s) if cadence == "month" else anchor + 14 * ((s - anchor) // 14 + 1) - 1
            out.append((s, min(e, spell.end)))
            s = min(e, spell.end) + 1
        return out

    @staticmethod
    def _amount(weekly_øre: int, start: int, end: int) -> int:
        index = 100 + 2 * max(year_of(start) - SATS_BASE_YEAR, 0)
        return (weekly_øre * (end - start + 1) * index + 350) // 700

    def _eindkomst(
        self, rng: random.Random, cpr: str, spells: list[Spell], moves: list[tuple[int, str]]
    ) -> list[Payment]:
        payments: list[Payment] = []
        for spell in spells:
            b = bh.BEHAVIOUR[spell.kode]
            akasse_se = bh.AKASSE_SE[rng.randrange(len(bh.AKASSE_SE))]
            for p_start, p_end in self._periods(spell, b.cadence):
                for s, e, kommune in self._pieces(p_start, p_end, moves):
                    øre = self._amount(spell.weekly_øre, s, e)
                    if b.cadence == "oneoff":
                        øre = spell.weekly_øre
                    if øre == 0:
                        continue
                    if b.payer == "akasse":
                        disp = e + rng.randint(2, 6)
                    elif b.cadence == "fortnight" or b.cadence == "oneoff":
                        disp = e + 3 if b.cadence == "fortnight" else s
                    else:
                        disp = last_weekday_on_or_before(month_end(e))
                    se = akasse_se if b.payer == "akasse" else self.kommune_se[kommune]
                    pay = self._pay(rng, cpr, spell.kode, b.kontoart, se, kommune, s, e, øre, disp)
                    payments.append(pay)
                    self._maybe_reverse(rng, pay, disp)
        return payments

    def _pay(
        self,
        rng: random.Random,
        cpr: str,
        kode: str,
        kontoart: str,
        se: str,
        kommune: str,
        start: int,
        end: int,
        øre: int,
        disp: int,
    ) -> Payment:
        if kontoart == "2":  # løntilskud: the citizen is UdløsendeCPR; CPRNummer, if any, is ignored
            employer = self._employer_cpr(rng) if rng.random() < bh.EMPLOYER_CPR_SHARE else ""
            cpr_nummer, udloesende = employer, cpr
        else:
            cpr_nummer, udloesende = cpr, ""
        pay = Payment(self.next_id(), kode, kontoart, se, kommune, cpr_nummer, udloesende, start, end, øre, 0)
        self._write(pay, "I", "", disp)
        return pay

    def _write(self, pay: Payment, art: str, reversed_id: str, disp: int) -> None:
        pay.delivered = min(next_month_start(disp) + 4, self.o.last_delivery)
        spec = self.writer.spec("eindkomst", eindkomst_name(date.fromordinal(pay.delivered), self.shard + 1))
        ydelse = ydelse_version(pay.kode, date.fromordinal(pay.start))
        self.writer.write(spec, [
            pay.id, art, reversed_id, pay.se, pay.kommune, pay.cpr_nummer, pay.udloesende,
            ydelse.indtaegtsart, ydelse.yr_kontonummer, pay.kontoart, iso(pay.start), iso(pay.end),
            format_øre(pay.øre, spec.money), iso(disp),
        ])  # fmt: skip
        self.stats.add("eindkomst")

    def _employer_cpr(self, rng: random.Random) -> str:
        born = date(1935, 1, 1).toordinal() + rng.randrange(3650)
        return f"{date.fromordinal(born):%d%m%y}{rng.randrange(4000):04d}"

    def _maybe_reverse(self, rng: random.Random, pay: Payment, disp: int) -> None:
        """A later report reverses the payment (T) and mostly replaces it with a corrected one."""
        if rng.random() >= bh.REVERSAL_SHARE:
            return
        late = rng.random() < bh.LATE_REVERSAL_SHARE
        t_disp = disp + (rng.randint(180, 540) if late else rng.randint(20, 90))
        if min(next_month_start(t_disp) + 4, self.o.last_delivery) <= pay.delivered:
            return  # nothing delivered after this one: no room for a correction
        t_disp = min(t_disp, self.o.last_delivery - 10)
        pay.reversed = True
        self._write(replace(pay, id=self.next_id(), øre=-pay.øre), "T", pay.id, t_disp)
        corrected = pay.øre * rng.randint(50, 120) // 100
        if rng.random() < bh.CORRECTED_AFTER_REVERSAL and corrected:
            self._write(replace(pay, id=self.next_id(), øre=corrected), "I", "", t_disp)

    # ---- STAR MAF ----------------------------------------------------------------------------
    def _maf(self, rng: random.Random, cpr: str, spells: list[Spell], moves: list[tuple[int, str]]) -> None:
        for spell in spells:
            if spell.kode != "DAG" or spell.end < MAF_START or spell.start > MAF_END:
                continue
            if rng.random() >= bh.MAF_SHARE:
                continue
            months = [
                (s, e)
                for s, e in self._periods(spell, "month")
                if s <= MAF_END and e >= MAF_START and e <= self.o.maf_delivery.toordinal()
            ]
            if not months:
                continue
            first = rng.randrange(len(months))
            spec = self.writer.spec("maf", maf_name(self.o.maf_delivery))
            for m_start, m_end in months[first : first + rng.randint(1, 6)]:
                for s, e, kommune in self._pieces(m_start, m_end, moves):
                    øre = self._amount(spell.weekly_øre, s, e) * rng.randint(8, 45) // 100
                    if øre:
                        self.writer.write(
                            spec,
                            [
                                kommune,
                                cpr,
                                "Dagpenge",
                                iso(s),
                                iso(e),
                                format_øre(øre, spec.money),
                                "star:konto:01.02",
                            ],
                        )
                        self.stats.add("maf")

    # ---- YUMU --------------------------------------------------------------------------------
    def _yumu(self, rng: random.Random, cpr: str, payments: list[Payment]) -> None:
        """Municipalities register amounts paid wrongly: only what the citizen received in the
        period (RULES.md 6), in the year of registration or the three before it."""
        years_back = 3
        for pay in payments:
            if pay.kode == "HST" or pay.reversed or pay.start < self.fra:
                continue
            days = pay.end - pay.start + 1
            if rng.random() >= bh.YUMU_SHARE_PER_MONTH * days / 30:
                continue
            start = rng.randint(pay.start, pay.end)
            end = rng.randint(start, min(pay.end, month_end(start)))
            received = self._amount_received(pay, start, end)
            if received < 200:
                continue
            created = end + rng.randint(14, 500)
            if created > self.til or year_of(start) < year_of(created) - years_back:
                continue
            reg_id = f"{pay.kommune}{self.shard + 1:03d}{self._next_reg():07d}"
            name = ydelse_version(pay.kode, date.fromordinal(start)).navn
            full = (pay.kommune, cpr, iso(start), iso(end), name)
            self._yumu_event(rng, reg_id, "opret", created, full, rng.randint(1, received // 2))
            finalised = date(year_of(created) + 1, 1, 14).toordinal()  # before the January run
            last = min(self.til, finalised)
            if created < last and rng.random() < bh.YUMU_RET_SHARE:
                created = rng.randint(created + 1, last)
                self._yumu_event(rng, reg_id, "ret", created, full, rng.randint(1, received // 2))
            if created < last and rng.random() < bh.YUMU_SLET_SHARE:
                created = rng.randint(created + 1, last)
                self._yumu_event(rng, reg_id, "slet", created, (pay.kommune, "", "", "", ""), None)
                if created < self.til and rng.random() < bh.YUMU_RECREATE_SHARE:
                    created = rng.randint(created + 1, self.til)
                    if year_of(start) >= year_of(created) - years_back:
                        self._yumu_event(rng, reg_id, "opret", created, full, rng.randint(1, received // 2))

    def _amount_received(self, pay: Payment, start: int, end: int) -> int:
        return pay.øre * (end - start + 1) // (pay.end - pay.start + 1)

    def _next_reg(self) -> int:
        self._reg_seq += 1
        return self._reg_seq

    def _yumu_event(
        self,
        rng: random.Random,
        reg_id: str,
        handling: str,
        created: int,
        fields: tuple[str, str, str, str, str],
        øre: int | None,
    ) -> None:
        kommune, cpr, start, end, name = fields
        exported = self._quarter_export(created)
        targets = [exported]
        if rng.random() < bh.YUMU_REEXPORT_SHARE:  # the next export repeats the event
            targets.append(self._quarter_export(exported + 1))
        for when in targets:
            spec = self.writer.spec("yumu", yumu_name(kommune, date.fromordinal(when)))
            amount = "" if øre is None else format_øre(øre, spec.money)
            self.writer.write(spec, [reg_id, handling, iso(created), kommune, cpr, start, end, name, amount])
            self.stats.add("yumu")

    @staticmethod
    def _quarter_export(o: int) -> int:
        """Municipalities export their YUMU events quarterly, on the first day of the next quarter."""
        d = date.fromordinal(o)
        q_month = 3 * ((d.month - 1) // 3) + 4
        return (date(d.year + 1, 1, 1) if q_month > 12 else date(d.year, q_month, 1)).toordinal()

    # ---- DFDG --------------------------------------------------------------------------------
    def _dfdg(self, rng: random.Random, cpr: str, spells: list[Spell], moves: list[tuple[int, str]]) -> None:
        """Interviews every 4–10 weeks and activities (courses, mentors, …) during benefit spells."""
        for spell in spells:
            if not bh.BEHAVIOUR[spell.kode].samtaler:
                continue
            start, end = max(spell.start, self.fra), min(spell.end, self.til)
            if start > end:
                continue
            types = bh.SAMTALE_TYPES.get(spell.kode, bh.SAMTALE_TYPES["default"])
            day = start + rng.randint(7, 28)
            while day <= end:
                self._dfdg_row("samtaler", day, [
                    self.next_id(), cpr, self._kommune_at(moves, day), pick(rng, types), iso(day),
                    pick(rng, bh.KONTAKTFORMER),
                ])  # fmt: skip
                day += rng.randint(28, 70)
            block = start
            while block <= end:
                if rng.random() < 0.35:
                    a_start = rng.randint(block, min(block + 90, end))
                    a_end = a_start + rng.randint(7, 182) - 1
                    self._dfdg_row("aktiviteter", a_start, [
                        self.next_id(), cpr, self._kommune_at(moves, a_start), pick(rng, bh.AKTIVITET_TYPES),
                        iso(a_start), iso(a_end) if a_end <= self.til else "",
                    ])  # fmt: skip
                block += 91

    def _dfdg_row(self, kind: str, day: int, fields: list[str]) -> None:
        spec = self.writer.spec(f"dfdg-{kind}", dfdg_name(kind, date.fromordinal(next_month_start(day) + 2)))
        self.writer.write(spec, fields)
        self.stats.add(f"dfdg-{kind}")

    @staticmethod
    def _kommune_at(moves: list[tuple[int, str]], day: int) -> str:
        kommune = moves[0][1]
        for since, k in moves:
            if since <= day:
                kommune = k
        return kommune
