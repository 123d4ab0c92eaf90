-- The modtagere the LIS marts count (OUTPUTS.md section 2): a borger receives a ydelse in a week in
-- a kommune when the net Beregnet udbetalingsbeløb of those rows is positive. Computed once here for
-- lis_ydelse_uge, lis_trappetrin_uge and lis_aktivitet_uge. The trin is the borger's in that week
-- (int_trappe_uger), so grouping by it adds no rows; the unique test on the key proves it.
select
    kommunenummer,
    ydelse_kode,
    uge,
    borger_id,
    trin,
    sum(beregnet_udbetalingsbeloeb) as netto
from {{ per_borger_scope(ref('int_lis__raekker')) }}
group by kommunenummer, ydelse_kode, uge, borger_id, trin
having sum(beregnet_udbetalingsbeloeb) > 0
