"""The reference server: a faithful implementation of the contract, with named faults."""

from conformance.reference.app import ReferenceApp
from conformance.reference.config import Credentials, EngineState, ServerConfig
from conformance.reference.faults import FAULTS
from conformance.reference.server import ReferenceServer

__all__ = ["Credentials", "EngineState", "FAULTS", "ReferenceApp", "ReferenceServer", "ServerConfig"]
