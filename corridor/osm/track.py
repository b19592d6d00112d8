"""A rail graph as the refinement consumes it: node positions, track km per edge, fast shortest paths.

The world railway graph of ``scgraph_data`` comes as an adjacency list (``graph[i] = {j: km}``) and a
list of ``[lat, lon]`` positions; an osmnx graph read from a user's OSM extract converts to the same
form. Long edges of a simplified graph are straight chords between their end nodes while their
weight is the length of the track; :meth:`TrackGraph.densified` splits them so that a station in the
middle of such an edge snaps to a point on it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

EARTH_RADIUS_KM = 6371.0088


def _unit_xyz(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    lam, phi = np.radians(lon), np.radians(lat)
    return np.column_stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)])


def _chord_to_km(chord: np.ndarray) -> np.ndarray:
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.clip(chord / 2, 0, 1))


@dataclass(frozen=True)
class Trace:
    """A path on the rail graph: node indices, track km and the lon/lat polyline."""

    nodes: np.ndarray
    km: float
    coords: np.ndarray
    longest_edge_km: float


class TrackGraph:
    """An undirected rail graph with track lengths in km.

    Parameters
    ----------
    lon, lat : array of float
        Node positions (WGS84 degrees).
    edges : array of shape (m, 3)
        ``(i, j, km)`` rows; each edge is usable in both directions.
    """

    def __init__(self, lon: np.ndarray, lat: np.ndarray, edges: np.ndarray):
        self.lon = np.asarray(lon, dtype=float)
        self.lat = np.asarray(lat, dtype=float)
        edges = np.asarray(edges, dtype=float).reshape(-1, 3)
        i, j = edges[:, 0].astype(np.int64), edges[:, 1].astype(np.int64)
        keep = i != j
        self.edges = np.column_stack([i[keep], j[keep], edges[keep, 2]])
        n = len(self.lon)
        # zero-km edges would vanish from a sparse matrix: give them a millimetre
        km = np.maximum(self.edges[:, 2], 1e-6)
        rows = np.concatenate([self.edges[:, 0], self.edges[:, 1]]).astype(np.int64)
        cols = np.concatenate([self.edges[:, 1], self.edges[:, 0]]).astype(np.int64)
        self.matrix = _min_duplicates(rows, cols, np.concatenate([km, km]), n)
        self._tree = cKDTree(_unit_xyz(self.lon, self.lat)) if n else None

    def __len__(self) -> int:
        return len(self.lon)

    @classmethod
    def from_adjacency(cls, graph: Sequence[Mapping[int, float]], latlon: Sequence[Sequence[float]]
                       ) -> TrackGraph:
        """Build from the scgraph form: ``graph[i] = {j: km}`` and ``latlon[i] = [lat, lon]``."""
        positions = np.asarray(latlon, dtype=float).reshape(-1, 2)
        rows = [(i, j, km) for i, adjacency in enumerate(graph) for j, km in adjacency.items() if j > i]
        return cls(positions[:, 1], positions[:, 0], np.asarray(rows, dtype=float).reshape(-1, 3))

    @classmethod
    def from_networkx(cls, graph: nx.MultiDiGraph) -> TrackGraph:
        """Build from an osmnx graph (node ``x``/``y``, edge ``length`` in metres)."""
        index = {node: k for k, node in enumerate(graph.nodes)}
        lon = np.array([graph.nodes[n]["x"] for n in graph.nodes], dtype=float)
        lat = np.array([graph.nodes[n]["y"] for n in graph.nodes], dtype=float)
        rows = [(index[u], index[v], float(data.get("length", 0.0)) / 1000.0)
                for u, v, data in graph.edges(data=True)]
        return cls(lon, lat, np.asarray(rows, dtype=float).reshape(-1, 3))

    def within(self, west: float, south: float, east: float, north: float) -> TrackGraph:
        """The part of the graph whose edges have an end inside the lon/lat box."""
        inside = (self.lon >= west) & (self.lon <= east) & (self.lat >= south) & (self.lat <= north)
        i, j = self.edges[:, 0].astype(np.int64), self.edges[:, 1].astype(np.int64)
        keep = inside[i] | inside[j]
        used = np.unique(np.concatenate([i[keep], j[keep]]))
        renumber = np.full(len(self), -1, dtype=np.int64)
        renumber[used] = np.arange(len(used))
        edges = np.column_stack([renumber[i[keep]], renumber[j[keep]], self.edges[keep, 2]])
        return TrackGraph(self.lon[used], self.lat[used], edges)

    def densified(self, step_km: float = 2.0) -> TrackGraph:
        """Split edges longer than ``step_km`` into pieces along their chord (km shared pro rata)."""
        km = self.edges[:, 2]
        pieces = np.maximum(1, np.ceil(km / step_km)).astype(np.int64)
        long = pieces > 1
        lon, lat = [self.lon], [self.lat]
        new_edges = [self.edges[~long]]
        next_id = len(self)
        for (i, j, length), count in zip(self.edges[long], pieces[long], strict=True):
            i, j = int(i), int(j)
            t = np.arange(1, count) / count
            lon.append(self.lon[i] + t * (self.lon[j] - self.lon[i]))
            lat.append(self.lat[i] + t * (self.lat[j] - self.lat[i]))
            chain = np.concatenate([[i], np.arange(next_id, next_id + count - 1), [j]])
            next_id += count - 1
            new_edges.append(np.column_stack([chain[:-1], chain[1:], np.full(count, length / count)]))
        return TrackGraph(np.concatenate(lon), np.concatenate(lat), np.concatenate(new_edges))

    def snap(self, lon: float, lat: float) -> tuple[int, float]:
        """Nearest graph node to a point and its great-circle distance in km."""
        if self._tree is None:
            raise ValueError("empty rail graph")
        chord, index = self._tree.query(_unit_xyz(np.array([lon]), np.array([lat]))[0])
        return int(index), float(_chord_to_km(np.array(chord)))

    @property
    def components(self) -> np.ndarray:
        """Connected-component label of every node (computed once)."""
        if not hasattr(self, "_components"):
            self._components = connected_components(self.matrix, directed=False)[1]
        return self._components

    def nearby(self, lon: float, lat: float, radius_km: float) -> dict[int, tuple[int, float]]:
        """For each connected piece of track within ``radius_km``: its nearest node and km."""
        if self._tree is None:
            return {}
        centre = _unit_xyz(np.array([lon]), np.array([lat]))[0]
        chord_radius = 2 * np.sin(radius_km / (2 * EARTH_RADIUS_KM))
        found = np.asarray(self._tree.query_ball_point(centre, chord_radius), dtype=np.int64)
        if len(found) == 0:
            return {}
        km = _chord_to_km(np.linalg.norm(self._tree.data[found] - centre, axis=1))
        best: dict[int, tuple[int, float]] = {}
        for node, dist in sorted(zip(found.tolist(), km.tolist(), strict=True), key=lambda t: t[1]):
            best.setdefault(int(self.components[node]), (node, dist))
        return best

    def trace(self, start: int, end: int, allowed: np.ndarray | None = None) -> Trace | None:
        """Shortest track path from ``start`` to ``end`` using only ``allowed`` nodes (None: no path)."""
        if allowed is None:
            allowed = np.ones(len(self), dtype=bool)
        if not (allowed[start] and allowed[end]):
            return None
        keep = np.flatnonzero(allowed)
        local = np.full(len(self), -1, dtype=np.int64)
        local[keep] = np.arange(len(keep))
        sub = self.matrix[keep][:, keep]
        dist, pred = dijkstra(sub, directed=False, indices=int(local[start]), return_predecessors=True)
        target = int(local[end])
        if not np.isfinite(dist[target]):
            return None
        path = [target]
        while path[-1] != local[start]:
            path.append(int(pred[path[-1]]))
        nodes = keep[np.array(path[::-1], dtype=np.int64)]
        steps = np.asarray(self.matrix[nodes[:-1], nodes[1:]]).ravel() if len(nodes) > 1 else np.zeros(0)
        coords = np.column_stack([self.lon[nodes], self.lat[nodes]])
        return Trace(nodes, float(dist[target]), coords, float(steps.max()) if len(steps) else 0.0)


def _min_duplicates(rows: np.ndarray, cols: np.ndarray, km: np.ndarray, n: int) -> csr_matrix:
    """Sparse matrix keeping the shortest of parallel edges (scipy would add them)."""
    order = np.lexsort((km, cols, rows))
    rows, cols, km = rows[order], cols[order], km[order]
    first = np.ones(len(rows), dtype=bool)
    first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    return csr_matrix((km[first], (rows[first], cols[first])), shape=(n, n))
