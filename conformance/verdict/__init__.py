"""Pure functions over outcomes: results.json (assemble, write, load), the gate, waivers."""
