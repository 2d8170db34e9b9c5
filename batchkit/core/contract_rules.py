"""The costing rules of the data contract (section 3 and its precise rules, 3a), as text users can read.

docs/DATA-FORMAT.md renders them next to the input tables (core.reference), so the reference in the
repository says exactly what the cost engine is tested against.
"""

from __future__ import annotations

SUMMARY = (
    "A batch's cost is inception-to-date as of the end of the run's period: materials + labor + machine + "
    "direct costs + its share of every pool of every period up to the run's period.",
    "Labor and machine cost = hours x the work center's rate in force on the booking date.",
    "Pools are allocated within their own period, among the batches in their scope that have a non-zero "
    "basis in that period, by the basis the params assign (per pool_id or per cost_element). A pool with no "
    "batch to take it is reported, never silently dropped.",
    "Money is rounded to the cent. Each pool's allocations sum exactly to the pool's amount (largest "
    "remainder), and the whole dataset reconciles: batch costs (sub-assembly transfers excepted) + "
    "unallocated + excluded = every input cost, to the cent.",
    "When a batch consumes another batch (a sub-assembly) it is charged qty x that batch's cost per good "
    "unit; batches are costed in genealogy order. A cycle is an error.",
    "Cost per good unit = total cost / qty_good. Scrap above the params' normal rate is abnormal scrap.",
    "Variances (when standards exist), per completed batch, for its good output Q; positive = unfavorable: "
    "material price and usage, labor rate and efficiency, machine rate and efficiency, overhead. They sum "
    "exactly to actual cost - standard cost of Q.",
)

RULES: tuple[tuple[str, str], ...] = (
    ("As of the period end",
     "Material issues, operations and direct costs count when dated on or before the last day of the run's "
     "period; pools when their period is on or before it. Late postings for old batches count. A batch is "
     "reported when its start_date is on or before the period end."),
    ("Rounding",
     "Half up (away from zero), to the cent, at these points only: each material-issue row (qty x unit "
     "cost), each operation row (labor and machine separately), each sub-assembly issue row, each "
     "allocation, each scrap cost, each standard-cost component. Totals are sums of rounded amounts; unit "
     "costs are not rounded."),
    ("Rates",
     "The rate in force on date d: among the work center's rows with valid_from empty or <= d and valid_to "
     "empty or >= d (both inclusive), the one with the latest valid_from. No such row, or two sharing it, is "
     "an error."),
    ("A batch's basis in a pool's period P",
     "labor/machine hours: its operation hours dated in P (only on the pool's work center, when the pool "
     "names one); material_cost: its purchased material cost dated in P, returns netted, sub-assembly "
     "charges excluded; direct_cost: its direct_costs rows dated in P; driver:<name>: drivers.value for that "
     "driver and period P; good_units: qty_good of batches completed in P (end_date within P); "
     "started_units: qty_started of batches active in P (start_date <= end of P, and end_date empty or >= "
     "start of P); equal: 1 for each batch active in P. Only batches with a basis > 0 take part; a negative "
     "net basis is left out with a warning."),
    ("Scope",
     "product_line and site must equal the batch master's value (empty = any); a work_center scope admits "
     "batches with hours on that work center dated in P."),
    ("Basis choice",
     "allocation.by_pool[pool_id], else allocation.by_cost_element[cost_element], else "
     "allocation.default_basis, else machine_hours."),
    ("Largest remainder",
     "Each batch first gets the floor, in cents, of its exact share; the cents left over go one each to the "
     "largest fractional remainders; ties go to the smaller batch_id (string order)."),
    ("Sub-assemblies",
     "An issue row whose lot_id is a batch S is charged qty x (S's total cost as of the run's period end / "
     "S's qty_good), rounded per row. Consuming a batch with qty_good 0 is an error; consuming more than its "
     "qty_good is a warning."),
    ("Status and unit cost",
     "completed when end_date is set and <= the period end, else wip. unit_cost = total / qty_good for "
     "completed batches with qty_good > 0, else empty. scrap_cost = total x qty_scrap / qty_started (0 when "
     "qty_started is 0), WIP included."),
    ("Reconciliation",
     "Per cost element: input = purchased materials + labor + machine + direct costs + pools, all as of the "
     "period end, rows of unknown batches included; costed = sum of batch costs of that element; "
     "unallocated = pools no batch takes; excluded = rows naming batches that are not in the master. "
     "subassembly is a transfer between batches, not an input: it is left out of the equation costed + "
     "unallocated + excluded = input, which holds to the cent. With predetermined rates (params absorption) "
     "the over/under-absorbed difference left as a period cost is reported as absorption_difference_amount "
     "(appended after difference), and costed + unallocated + excluded + absorption_difference_amount = input; "
     "a pool with a rate is never unallocated."),
    ("A batch's variable and fixed cost",
     "Params cost_behavior maps cost elements to variable or fixed (cost_behavior: {depreciation: fixed, "
     "energy: variable}). An element it does not name is variable when it is material, labor, machine or a "
     "direct cost, and fixed when it is a pool. A sub-assembly charge carries its sub-batch's split: its fixed "
     "part is qty x (the sub-batch's fixed cost / its qty_good), rounded half up per issue row, its variable "
     "part the rest of the charge. batch_summary gains variable_cost and fixed_cost (appended after "
     "standard_cost); they sum to total_cost to the cent."),
    ("The predetermined overhead rates (absorption)",
     "Params absorption: {rates: {by_pool: {P-DEP: 9.00}, by_cost_element: {energy: 2.50}}, difference: "
     "expense} gives a rate per unit of a pool's basis (by_pool first, then by_cost_element; at most 6 "
     "decimals, >= 0). The batches with a basis > 0 in the pool's period (the same basis rules and scopes) "
     "absorb rate x their basis value, rounded half up per allocation; allocation_ledger holds what they were "
     "charged. Per pool and period, difference = actual - absorbed (positive: under-absorbed). difference: "
     "expense (the default) leaves it as a period cost; difference: prorate charges it back to the batches that "
     "absorbed, so that each carries its largest-remainder share of the actual amount again (its share of the "
     "difference is that share less what it absorbed). A pool with a rate absorbs in every period from its "
     "first cost_pools row to the run's: a month without a row yet (the invoice has not arrived) absorbs with "
     "the cost element and scope of its latest earlier row, an actual of 0 and a negative difference. A rated "
     "pool no batch takes absorbs nothing and its whole amount is the difference (expense). A rate for a "
     "pool_id with no row up to the run's period is not used. The table absorption has one row per rated pool "
     "and period up to the run's: pool_id, period, cost_element, basis, rate, basis_total (the takers' basis), "
     "actual_amount, absorbed_amount, difference_amount, treatment (expense or prorate); it is empty without "
     "rates."),
    ("Variances",
     "Completed batches whose item has a standard; Q = qty_good. Materials match the standard BOM by "
     "material_id (sub-assembly rows included, at their charged cost); operations match the routing by "
     "operation. Standard cost of each component = sum of standard quantity x Q x standard price, rounded "
     "once. Price (rate) variance = sum over actual rows of (actual amount - std price x actual qty), rounded "
     "once; usage (efficiency) variance = the component's actual cost - its standard cost - the price (rate) "
     "variance. A material or operation with no standard has price/rate variance 0 and all of its cost in "
     "usage/efficiency; a standard line never used gives a negative usage/efficiency. overhead = the batch's "
     "pool allocations + its direct costs - standard overhead of Q."),
    ("Variances of fixed overhead",
     "When standard_overhead gives a behavior (fixed or variable; empty counts as variable), the overhead of "
     "the pools with a predetermined rate (params absorption) whose element is fixed (params cost_behavior) "
     "leaves overhead for two more variance types: overhead_spending = what the batch was charged for those "
     "pools - what it absorbed at the rate (its share of the pool's difference under difference: prorate; 0 "
     "under expense, where the difference stays a period cost in the absorption table), and overhead_volume "
     "= what it absorbed - the standard of Q of its fixed standard overhead rows whose element has such a "
     "pool (rounded once). overhead keeps the rest (variable and unrated overhead and direct costs, less the "
     "rest of the standard), so the nine types still sum exactly to total cost - standard cost of Q. Without "
     "any rate both are 0; without a behavior value they are not written."),
    ("Batch status field",
     "released, quarantined, rejected: does not change costing."),
)
