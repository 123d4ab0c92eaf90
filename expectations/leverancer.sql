-- One row per delivered file in the ledger: what was read, accepted and quarantined, and the
-- differences that must be zero (DELIVERIES.md "Nothing lost").
select
    fil,
    kilde,
    status,
    linjer_laest,
    linjer_accepteret,
    linjer_karantaene,
    linjer_laest - linjer_accepteret - linjer_karantaene as linjer_ikke_afstemt,
    coalesce(beloeb_laest, 0) - coalesce(beloeb_accepteret, 0) - coalesce(beloeb_karantaene, 0) as beloeb_ikke_afstemt
from raw.leverancer
