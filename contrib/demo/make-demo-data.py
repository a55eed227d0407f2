#!/usr/bin/env python3
"""Builds contrib/demo/gb-2020-03.csv, the demo's recorded forecast (run once, by hand).

Carbon intensity: Great Britain, 2020-03-02 .. 2020-03-16 UTC, 30-min, from the Let's Wait
Awhile data set (dos-group/lets-wait-awhile data/gb_ci.csv @5e0d1553, computed from ENTSO-E
generation data with IPCC 2014 lifecycle factors; Wiesner et al., Middleware 2021).
Price: GB day-ahead, EUR/MWh, hourly, from HewlettPackard/green-dcc (@3f6ea95c) as
reshaped in shared/data/grid/dayahead_prices_hourly_utc_2020_2024.csv.
Usage: make-demo-data.py SHARED_DATA_DIR > contrib/demo/gb-2020-03.csv
"""
import csv, sys

root = sys.argv[1]
prices = {}
with open(f"{root}/grid/dayahead_prices_hourly_utc_2020_2024.csv") as f:
    for row in csv.DictReader(f):
        if row["datetime_utc"].startswith("2020-03"):
            prices[row["datetime_utc"][:13]] = row["GB_EUR_per_MWh"]
print("# Great Britain 2020-03-02..16: carbon intensity (gCO2/kWh, Let's Wait Awhile / ENTSO-E),")
print("# day-ahead price (EUR/MWh, green-dcc / EPEX). See contrib/demo/make-demo-data.py.")
print("time,carbon_intensity,price")
with open(f"{root}/grid/lwa_gb_ci_2020.csv") as f:
    for row in csv.DictReader(f):
        t = row["Time"]
        if "2020-03-02" <= t[:10] < "2020-03-16" and t[14:16] in ("00", "30"):
            p = prices.get(t[:13], "")
            print(f"{t[:10]}T{t[11:16]}Z,{float(row['Carbon Intensity']):.1f},{p}")
