"""erpsync-conformance: contract and conformance suite for POST /api/v1/Agents/ErpSync/GetEngineStatus."""

__version__ = "0.1.0"
