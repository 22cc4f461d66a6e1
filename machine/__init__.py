"""The deterministic simulated machine (issue 5): a discrete-event core with a virtual clock
and seeded random streams, nodes with cores, timers, interrupts, memory and an MMU."""

from __future__ import annotations

from ._errors import (MachineError, MemoryBoundsError, NodeDown, PageFault, SchedulingError,
                      SimulatorBusy)
from ._sim import Scheduled, Simulator
from ._trace import Instrument, Trace
from ._cost import CostModel
from ._cpu import Core
from ._interrupts import (NIC_VECTOR, TIMER_VECTOR, VECTORS, InterruptController,
                          InterruptError)
from ._memory import PAGE_SIZE, PhysicalMemory
from ._mmu import VIRTUAL_BITS, Mapping, MappingError, Mmu
from ._node import Node
from ._sim import END_OF_TIME
from ._timer import TimerDevice
from ._frames import (BROADCAST, ETHERNET_MTU, ETHERTYPE_EXPERIMENTAL, ETHERTYPE_IPV4,
                      EthernetFrame, FrameError, MacAddress, MalformedFrame)
from ._nic import Nic
from ._network import LinkConditions, Network, NetworkError
from ._pcap import MalformedCapture, PcapCapture, PcapRecord, PcapWriter, read_pcap

__all__ = [
    "Instrument", "MachineError", "MemoryBoundsError", "NodeDown", "PageFault", "Scheduled",
    "SchedulingError", "Simulator", "SimulatorBusy", "Trace",
    # the node
    "Core", "CostModel", "END_OF_TIME", "InterruptController", "InterruptError", "Mapping",
    "MappingError", "Mmu", "NIC_VECTOR", "Node", "PAGE_SIZE", "PhysicalMemory", "TIMER_VECTOR",
    "TimerDevice", "VECTORS", "VIRTUAL_BITS",
    # the network
    "BROADCAST", "ETHERNET_MTU", "ETHERTYPE_EXPERIMENTAL", "ETHERTYPE_IPV4", "EthernetFrame",
    "FrameError", "LinkConditions", "MacAddress", "MalformedCapture", "MalformedFrame",
    "Network", "NetworkError", "Nic", "PcapCapture", "PcapRecord", "PcapWriter", "read_pcap",
]
