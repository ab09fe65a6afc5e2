//! The simulated organisation's behaviour, independent of any wire format: who the principals
//! are ([`Principal`], [`Ident`]), what they habitually do ([`Habit`]), when they work
//! ([`Rhythm`]), how the event budget is spread over their days ([`allocate`]) and which
//! habitual calls happen at which instant on a given day ([`day_slots`]).
//!
//! Invariants the detectors rely on: every habit is exercised on the principal's first active
//! day (which lies in the first week), so no habitual (service, method) or (principal,
//! resource) pair first appears later; and no failed call happens on that first day.

use super::util::{DAY, HOUR, MIN, Rng, hash, weekday};

/// The time range being generated: `[start, end)`, cut into UTC calendar days from `day0`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Span {
    pub(crate) start: i64,
    pub(crate) end: i64,
    pub(crate) day0: i64,
    pub(crate) ndays: u32,
}

impl Span {
    pub(crate) fn day_start(&self, d: u32) -> i64 {
        self.day0 + i64::from(d) * DAY
    }
    /// Day index of an instant (instants before `day0` map to 0).
    pub(crate) fn day_of(&self, t: i64) -> u32 {
        ((t - self.day0).max(0) / DAY) as u32
    }
    pub(crate) fn contains(&self, t: i64) -> bool {
        t >= self.start && t < self.end
    }
}

/// When a principal is active.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Rhythm {
    /// A person: weekdays ~08:00–18:00 UTC with jitter, an occasional late evening, rare
    /// weekend sessions.
    Office,
    /// A workload: around the clock at an even rate, every day.
    Steady,
}

/// Cloud-specific identity of a principal.
#[derive(Clone, Debug)]
pub(crate) enum Ident {
    Gcp { email: String, human: bool },
    AzureUser { upn: String, name: String, oid: String },
    AzureApp { appid: String, oid: String },
    AwsUser { name: String, id: String, key: String },
    AwsRole { role: String, session: String, id: String, key: String },
    AwsService { service: String },
    Win { host: String, user: String, sid: String, machine: bool },
}

/// One habitual call: an operation (index into the cloud's catalogue) on one resource.
#[derive(Clone, Debug)]
pub(crate) struct Habit {
    pub(crate) op: u16,
    pub(crate) weight: u32,
    /// The resource name / id / ARN / process path the call touches.
    pub(crate) res: String,
    /// Cloud-specific detail (object path, region, parent process, app id…).
    pub(crate) extra: String,
    /// Not every day: present on ~40 % of days (always on the first active day).
    pub(crate) occasional: bool,
    /// Records one call produces (Azure Activity writes Start + Success).
    pub(crate) records: u8,
}

impl Habit {
    pub(crate) fn new(op: u16, weight: u32, res: impl Into<String>, extra: impl Into<String>) -> Self {
        Habit { op, weight, res: res.into(), extra: extra.into(), occasional: false, records: 1 }
    }
    pub(crate) fn occasional(mut self) -> Self {
        self.occasional = true;
        self
    }
}

/// A principal with its habits.
#[derive(Clone, Debug)]
pub(crate) struct Principal {
    /// The principal string the detectors report (e-mail, UPN, app id, ARN, `DOMAIN\user`).
    pub(crate) key: String,
    pub(crate) display: String,
    pub(crate) ident: Ident,
    pub(crate) rhythm: Rhythm,
    /// Share of the cloud's event budget, relative to the other principals.
    pub(crate) weight: f64,
    /// Source IPs; the first is the usual one.
    pub(crate) ips: Vec<String>,
    pub(crate) ua: String,
    pub(crate) habits: Vec<Habit>,
    /// Habits called 1–3 times every hour regardless of the budget (fixed-rate workloads).
    pub(crate) hourly: Vec<u16>,
    pub(crate) tag: u64,
}

/// A principal's events per day and its first active day.
#[derive(Clone, Debug)]
pub(crate) struct Sched {
    pub(crate) per_day: Vec<u32>,
    pub(crate) first: u32,
}

/// Fraction of day `d` that lies inside the span.
fn overlap(span: &Span, d: u32) -> f64 {
    let (a, b) = (span.day_start(d), span.day_start(d) + DAY);
    let (a, b) = (a.max(span.start), b.min(span.end));
    if b <= a { 0.0 } else { (b - a) as f64 / DAY as f64 }
}

/// Spreads `budget` records over the principal's days (weekday-heavy for people, even for
/// workloads), by cumulative rounding so the total is exact.
pub(crate) fn allocate(p: &Principal, budget: f64, span: &Span, seed: u64) -> Sched {
    let mut rng = Rng::new(&[seed, p.tag, 0xa11c]);
    let weights: Vec<f64> = (0..span.ndays)
        .map(|d| {
            let wd = weekday(span.day_start(d));
            let w = match p.rhythm {
                Rhythm::Office if wd < 5 => 0.75 + rng.unit() * 0.5,
                Rhythm::Office => {
                    if rng.chance(0.15) {
                        0.08
                    } else {
                        0.0
                    }
                }
                Rhythm::Steady => 0.9 + rng.unit() * 0.2,
            };
            w * overlap(span, d)
        })
        .collect();
    let total: f64 = weights.iter().sum::<f64>().max(1e-9);
    let mut acc = 0.0;
    let mut prev = 0u64;
    let per_day: Vec<u32> = weights
        .iter()
        .map(|w| {
            acc += w / total * budget.max(0.0);
            let now = acc.round() as u64;
            let n = now - prev;
            prev = now;
            n as u32
        })
        .collect();
    let first = per_day.iter().position(|&n| n > 0).unwrap_or(0) as u32;
    // A principal must show up in the first week even if its share is tiny.
    let first = first.min(span.ndays.saturating_sub(1)).min(6);
    Sched { per_day, first }
}

/// Expected number of fixed-rate (`hourly`) records over the span.
pub(crate) fn hourly_expected(p: &Principal, span: &Span) -> f64 {
    if p.hourly.is_empty() {
        return 0.0;
    }
    2.0 * ((span.end - span.start) as f64 / HOUR as f64)
}

/// One call, before rendering.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Slot {
    pub(crate) t: i64,
    /// Per-record randomness for ids (insertId, eventID, correlationId…).
    pub(crate) id: u64,
    /// Principal index within the cloud's roster, or planted-item index when `planted`.
    pub(crate) p: u16,
    pub(crate) h: u16,
    pub(crate) ip: u8,
    pub(crate) fail: bool,
    pub(crate) planted: bool,
    /// Azure Activity: 0 = single record, 1 = Start, 2 = Success/Failure.
    pub(crate) phase: u8,
}

/// Days on which the calls of occasional habits happen. `quiet` is a day on which none
/// happen (the planted rare-process day), and they all happen the day before it, so that the
/// hunting query's fleet-wide `Ratio` is below 100 that day.
fn habit_today(h: &Habit, hi: usize, p: &Principal, d: u32, first: bool, quiet: Option<u32>, seed: u64) -> bool {
    if !h.occasional || first {
        return true;
    }
    match quiet {
        Some(q) if q == d => false,
        Some(q) if q == d + 1 => true,
        _ => hash(&[seed, p.tag, hi as u64, u64::from(d), 0x0cca]) % 100 < 40,
    }
}

/// Instants for `n` calls of a principal on the day starting at `day`, sorted.
fn times(rhythm: Rhythm, n: usize, day: i64, rng: &mut Rng) -> Vec<i64> {
    let mut ts: Vec<i64> = match rhythm {
        Rhythm::Steady => (0..n as i64).map(|i| day + (i * DAY + rng.below(DAY as u64) as i64) / n as i64).collect(),
        Rhythm::Office if weekday(day) >= 5 => (0..n).map(|_| day + rng.between(10 * HOUR, 16 * HOUR)).collect(),
        Rhythm::Office => {
            // Stratified over the working window so hourly counts stay smooth (no false
            // bursts); a few calls move to a late-evening session on some days.
            let ws = 8 * HOUR + rng.between(-35 * MIN, 50 * MIN);
            let we = 17 * HOUR + 30 * MIN + rng.between(0, 70 * MIN);
            let evening = rng.chance(0.08);
            let len = we - ws;
            (0..n as i64)
                .map(|i| {
                    if evening && rng.chance(0.12) {
                        day + rng.between(20 * HOUR, 22 * HOUR + 45 * MIN)
                    } else {
                        day + ws + (i * len + rng.below(len as u64) as i64) / n as i64
                    }
                })
                .collect()
        }
    };
    ts.sort_unstable();
    ts
}

/// Which IP a call uses: people use the office address by day and a second one (home/VPN)
/// in the evening and at weekends; workloads spread over theirs.
fn pick_ip(p: &Principal, t: i64, rng: &mut Rng) -> u8 {
    let n = p.ips.len().max(1) as u64;
    match p.rhythm {
        Rhythm::Steady => rng.below(n) as u8,
        Rhythm::Office => {
            let hour = (t.rem_euclid(DAY) / HOUR) as u32;
            if n > 1 && (hour >= 19 || weekday(t) >= 5) {
                1
            } else if n > 1 && rng.chance(0.08) {
                rng.below(n) as u8
            } else {
                0
            }
        }
    }
}

/// Rate of failed calls (PERMISSION_DENIED / AccessDenied / Failure).
const FAIL_RATE: f64 = 0.015;

/// The day being generated and the world-wide knobs the schedule needs.
pub(crate) struct Day<'a> {
    pub(crate) d: u32,
    pub(crate) span: &'a Span,
    pub(crate) seed: u64,
    /// The planted rare-process day, on which occasional habits pause (see [`habit_today`]).
    pub(crate) quiet: Option<u32>,
}

/// Weighted pick among `pool` (habit indexes).
fn pick(p: &Principal, pool: &[usize], total_w: u64, rng: &mut Rng) -> usize {
    let mut r = rng.below(total_w);
    for &i in pool {
        let w = u64::from(p.habits[i].weight);
        if r < w {
            return i;
        }
        r -= w;
    }
    pool[0]
}

/// Appends the principal's habitual calls on `day` to `out`.
pub(crate) fn day_slots(p: &Principal, pi: u16, sched: &Sched, day: &Day<'_>, out: &mut Vec<Slot>) {
    let (d, span, seed) = (day.d, day.span, day.seed);
    let mut rng = Rng::new(&[seed, p.tag, u64::from(d), 0x5107]);
    let first = d == sched.first;
    let count = sched.per_day.get(d as usize).copied().unwrap_or(0);
    let pool: Vec<usize> = (0..p.habits.len())
        .filter(|&i| !p.hourly.contains(&(i as u16)))
        .filter(|&i| habit_today(&p.habits[i], i, p, d, first, day.quiet, seed))
        .collect();
    let total_w: u64 = pool.iter().map(|&i| u64::from(p.habits[i].weight)).sum();
    let mut picks: Vec<u16> = Vec::new();
    if first {
        // Exercise the full habitual set on the first active day.
        picks.extend((0..p.habits.len()).map(|i| i as u16));
    } else if day.quiet == Some(d + 1) {
        // The day before the quiet day runs every occasional habit at least once.
        picks.extend((0..p.habits.len()).filter(|&i| p.habits[i].occasional).map(|i| i as u16));
    }
    let mut records: u32 = picks.iter().map(|&h| u32::from(p.habits[usize::from(h)].records)).sum();
    while records < count && total_w > 0 {
        let chosen = pick(p, &pool, total_w, &mut rng);
        picks.push(chosen as u16);
        records += u32::from(p.habits[chosen].records);
    }
    // Shuffle so the first-day cycle is spread over the day.
    for i in (1..picks.len()).rev() {
        picks.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let start = span.day_start(d);
    let ts = times(p.rhythm, picks.len(), start, &mut rng);
    for (k, (&t, &h)) in ts.iter().zip(&picks).enumerate() {
        // On a partial first day the cycle must still land inside the range.
        let t = if first { t.clamp(span.start, span.end - 1) } else { t };
        let ip = if first && k < p.ips.len() { k as u8 } else { pick_ip(p, t, &mut rng) };
        let fail = !first && rng.chance(FAIL_RATE);
        push_slot(out, span, Slot { t, id: rng.next(), p: pi, h, ip, fail, planted: false, phase: 0 });
    }
    if !p.hourly.is_empty() {
        for hour in 0..24 {
            let n = 1 + rng.below(3);
            for _ in 0..n {
                let t = start + hour * HOUR + rng.below(HOUR as u64) as i64;
                let h = p.hourly[rng.below(p.hourly.len() as u64) as usize];
                let ip = pick_ip(p, t, &mut rng);
                let fail = !first && rng.chance(FAIL_RATE);
                push_slot(out, span, Slot { t, id: rng.next(), p: pi, h, ip, fail, planted: false, phase: 0 });
            }
        }
    }
}

fn push_slot(out: &mut Vec<Slot>, span: &Span, s: Slot) {
    if span.contains(s.t) {
        out.push(s);
    }
}
