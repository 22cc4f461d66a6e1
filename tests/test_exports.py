"""Each package's public API is exactly what its `__init__` exports, and every name resolves.

A change to a package's public names must change this table too, on purpose."""

from __future__ import annotations

import importlib

import pytest

EXPORTS = {
    "ebbrt": {"EbbrtError", "__version__"},
    "ebbrt.spec": {
        "AnyType", "BUILTIN_FUNCTIONS", "BitVecType", "BoolType", "BuiltinFunction", "BytesType",
        "CheckResult", "Checked", "Comment", "CoreType", "Diagnostic", "DurationType",
        "EbbSymbol", "EmptyCollectionType", "EnumSymbol", "EnumType", "ErrorType", "EventSymbol",
        "ExceptionSymbol", "FuncSymbol", "HandleSymbol", "HandleType", "IntType", "MapType",
        "ModuleSymbols", "OpSymbol", "OptionType", "ProtocolSymbol", "RecordSymbol",
        "RecordType", "RefinesSymbol", "SeqType", "SetType", "Span", "TimeType", "Type",
        "TypeParam", "VarSymbol", "ast", "check_paths", "check_text", "format_module",
        "format_text", "parse_text", "parse_text_with_comments", "render_all",
    },
    "ebbrt.docgen": {"FORMATS", "build_pages", "generate_docs", "render_site"},
    "ebbrt.cli": {"COMMANDS", "EXIT_INTERNAL", "EXIT_OK", "EXIT_SPEC_ERRORS", "EXIT_USAGE",
                  "build_parser", "main"},
    "ebbrt.ebbs": {"library_dir", "library_specs",
                   "UnorderedSet", "UnorderedMap", "Position", "HashTable", "Futures", "Future",
                   "Promise", "Status", "Timer", "PageAllocator", "SlabAllocator",
                   "OutOfRange", "OutOfMemory", "InvalidArgument", "PromiseAlreadySatisfied",
                   "FutureFailed"},
    # filled by later issues: the prover and engines, the runtime, the simulated machine
    "ebbrt.verifier": {"Counterexample", "Result", "Undefined", "Verdict", "combine", "evaluate",
                       "ProveReport", "ProverError", "ResultCache", "prove", "render_json",
                       "render_junit", "render_sarif", "render_text",
                       "DEFAULT_BUDGET", "Env", "ExprEncoder", "KINDS", "Obligation",
                       "Unsupported", "collect_obligations", "discharge",
                       "Binding", "BindingError", "Context", "binding_of", "implements",
                       "Clause", "CompiledEbb", "CompiledOp", "ContractViolation", "Mode",
                       "compile_ebb", "compile_expression", "enforce", "to_icontract",
                       "SpecViolation", "monitored", "run_hypothesis", "strategy_for",
                       "run_crosshair"},
    "ebbrt.runtime": {
        # monitors of event and temporal clauses (monitors helper)
        "MonitorSet", "MonitorViolation", "Observation", "compile_monitors",
        # contracts at run time, the messenger, `ebb run`'s apps (run helper)
        "RunContracts", "Datagram", "MalformedDatagram", "Messenger", "MessengerConfig",
        "TIMER_VARIANTS", "APPS", "AppResult", "run_app",
        # ids, EbbRef, scopes, events, futures, Timer and Clock, the Runtime (runtime helper)
        "CLOCK", "CLOCK_ID", "CallGate", "Clock", "CoreContext", "DistributedEbb", "EVENT_MANAGER",
        "EVENT_MANAGER_ID", "EbbId", "EbbNotFound", "EbbRef", "EventManager",
        "FIRST_FREE_LOCAL_ID", "Future", "FutureFailed", "GlobalIdMap", "ID_SPACE_BITS",
        "IdAllocator", "IdEntry", "IdSpaceExhausted", "InvalidArgument", "LocalIdMap",
        "MAX_NODES", "MulticoreEbb", "NodeBoundary", "NodeRuntime", "NotOnCore", "Promise",
        "PromiseAlreadySatisfied", "Runtime", "RuntimeFault", "SPAWN_VECTOR", "SharedEbb",
        "TIMER", "TIMER_ID", "Timer", "cache_ref", "current_core", "current_event_manager",
        "direct_gate", "global_id_range", "home_node", "is_global", "make_failed_future",
        "make_ready_future", "sleep", "spawn_local", "spawn_remote", "when_all",
    },
    "ebbrt.machine": {
        # the event core and the node (machine helper)
        "Core", "CostModel", "END_OF_TIME", "Instrument", "InterruptController",
        "InterruptError", "MachineError", "Mapping", "MappingError", "MemoryBoundsError", "Mmu",
        "NIC_VECTOR", "Node", "NodeDown", "PAGE_SIZE", "PageFault", "PhysicalMemory",
        "Scheduled", "SchedulingError", "Simulator", "SimulatorBusy", "TIMER_VECTOR",
        "TimerDevice", "Trace", "VECTORS", "VIRTUAL_BITS",
        # the network (network helper)
        "BROADCAST", "ETHERNET_MTU", "ETHERTYPE_EXPERIMENTAL", "ETHERTYPE_IPV4", "EthernetFrame",
        "FrameError", "LinkConditions", "MacAddress", "MalformedCapture", "MalformedFrame",
        "Network", "NetworkError", "Nic", "PcapCapture", "PcapRecord", "PcapWriter", "read_pcap",
    },
}


@pytest.mark.parametrize("package", sorted(EXPORTS))
def test_exported_names(package: str) -> None:
    module = importlib.import_module(package)
    assert set(module.__all__) == EXPORTS[package]
    for name in module.__all__:
        assert getattr(module, name) is not None, f"{package}.{name} does not resolve"


def test_installed_package_ships_grammar_and_specs() -> None:
    from importlib import resources

    from ebbrt.ebbs import library_specs

    grammar = resources.files("ebbrt.spec").joinpath("grammar.lark")
    assert grammar.is_file() and "ebb_decl" in grammar.read_text(encoding="utf-8")
    names = {p.name for p in library_specs()}
    assert {"timer.ebb", "event_manager.ebb", "future.ebb", "unordered_set.ebb",
            "unordered_map.ebb", "page_allocator.ebb", "slab_allocator.ebb"} <= names


def test_internal_error_is_reported_as_a_bug_without_traceback(monkeypatch, capsys) -> None:
    from ebbrt import cli
    from ebbrt.cli import check

    def explode(args):
        raise RuntimeError("boom")

    monkeypatch.setattr(check, "run", explode)
    monkeypatch.delenv("EBB_TRACEBACK", raising=False)
    assert cli.main(["check"]) == cli.EXIT_INTERNAL
    err = capsys.readouterr().err
    assert "internal error (a bug in ebb" in err and "RuntimeError: boom" in err
    assert "Traceback" not in err
