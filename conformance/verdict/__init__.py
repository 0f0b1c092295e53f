"""The verdict from the outcomes: results.json (assemble, write, load), the gate and waivers as
pure functions over its entries."""
