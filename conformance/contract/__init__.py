"""The contract as data: the requirement catalogue, the endpoint's constants and schema views, the open points (choices), the input domains, Mask flags, the XML reading."""
