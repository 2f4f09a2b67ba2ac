"""Stage 2, network: roads, ferries, centres' access legs, the minutes matrix and adjacency.

May import the ground modules, :mod:`regionopt.data` and this folder.
"""

from regionopt.network.build import Network, build_network, road_graph, write_network
from regionopt.network.ferries import add_ferries, attach_centres, load_ferries
from regionopt.network.key import network_key
from regionopt.network.settings import ORIGINS, NetworkSettings
from regionopt.network.travel import functional_adjacency, travel_time_matrix

__all__ = ["ORIGINS", "Network", "NetworkSettings", "add_ferries", "attach_centres",
           "build_network", "functional_adjacency", "load_ferries", "network_key", "road_graph",
           "travel_time_matrix", "write_network"]
