-- The modtagere the LIS marts count (OUTPUTS.md section 2): a borger receives a ydelse in a week in
-- a kommune when the net Beregnet udbetalingsbeløb of those rows is positive. lis_borger_uge holds
-- exactly that net, per borger, week, ydelse and kommune, with the borger's trin that week
-- (int_trappe_uger), so the modtagere are its rows with a positive amount: a view for
-- lis_ydelse_uge, lis_trappetrin_uge and lis_aktivitet_uge, not a second grouping of the LIS rows.
select
    kommunenummer,
    ydelse_kode,
    uge,
    borger_id,
    trin,
    beregnet_udbetalingsbeloeb as netto
from {{ ref('lis_borger_uge') }}
where beregnet_udbetalingsbeloeb > 0
