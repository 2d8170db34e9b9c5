"""The cost model (contract section 3): each batch's cost to the cent, sub-assemblies rolled up, variances."""
