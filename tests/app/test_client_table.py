"""The table of client query use that the web processes of one server share (server/serving/client_table.py), with
real forked processes: what one process counts, another sees; what a dead process had in flight stops counting."""

from __future__ import annotations

import os
import signal
import time

from server.serving.client_table import ENTRIES, SLOTS, ClientTable

DRAIN = 0.5  # query-seconds per second


def in_child(table: ClientTable, client: str, then) -> int:
    """Fork: the child joins one query of ``client`` and does ``then``; returns its pid."""
    pid = os.fork()
    if pid == 0:
        try:
            with table.entry(client, time.monotonic(), DRAIN) as usage:
                usage.join()
                usage.used += 1.5
            then()
        finally:
            os._exit(0)
    return pid


def test_what_one_process_counts_the_others_see_and_a_dead_process_s_queries_stop_counting():
    table = ClientTable.shared()
    child = in_child(table, "198.51.100.7", lambda: time.sleep(60))
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with table.entry("198.51.100.7", time.monotonic(), DRAIN) as usage:
                if usage.in_flight():
                    break
            time.sleep(0.01)
        with table.entry("198.51.100.7", time.monotonic(), DRAIN) as usage:
            assert usage.in_flight() == 1 and 1.0 < usage.used <= 1.5
        with table.entry("198.51.100.8", time.monotonic(), DRAIN) as usage:
            assert usage.in_flight() == 0 and usage.used == 0  # another client
    finally:
        os.kill(child, signal.SIGKILL)  # dies with its query in flight, never parting
        os.waitpid(child, 0)
    with table.entry("198.51.100.7", time.monotonic(), DRAIN) as usage:
        assert usage.in_flight() == 0
        assert usage.used > 0  # its use stays counted


def test_a_process_killed_while_it_holds_the_lock_blocks_nobody():
    table = ClientTable.shared()
    pid = os.fork()
    if pid == 0:
        with table.entry("198.51.100.9", time.monotonic(), DRAIN):
            time.sleep(60)
        os._exit(0)
    time.sleep(0.3)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    began = time.monotonic()
    with table.entry("198.51.100.9", time.monotonic(), DRAIN) as usage:
        usage.join()
    assert time.monotonic() - began < 5


def test_memory_stays_bounded_and_idle_entries_are_reused_for_new_clients():
    table = ClientTable.private()
    now = 1000.0
    for n in range(3 * ENTRIES):
        with table.entry(f"2001:db8::{n:x}", now, DRAIN) as usage:
            usage.used += 0.1  # drained after 0.2 s
        now += 0.25
    with table.entry("203.0.113.1", now, DRAIN) as usage:
        usage.used += 5
    with table.entry("203.0.113.1", now + 1, DRAIN) as usage:
        assert usage.used == 4.5  # its own entry, drained for one second


def test_the_slot_rows_of_a_dead_process_are_free_again_and_a_full_board_takes_no_more():
    table = ClientTable.shared()
    pid = os.fork()
    if pid == 0:  # a web process that takes two slots and a waiting row, then dies without giving them back
        with table.board(time.monotonic(), DRAIN) as board:
            board.start(os.getpid(), 1, 11, time.monotonic())
            board.start(os.getpid(), 2, 11, time.monotonic())
            board.wait(os.getpid(), 3, 11, time.monotonic())
        os._exit(0)
    os.waitpid(pid, 0)
    own = os.getpid()
    with table.board(time.monotonic(), DRAIN) as board:
        assert board.running == [] and board.waiting == []  # the dead process's rows do not count
        taken = [board.start(own, ticket, 22, time.monotonic()) for ticket in range(1, SLOTS + 1)]
        assert all(taken) and len({slot.index for slot in taken}) == SLOTS  # its two rows among them
        assert board.start(own, SLOTS + 1, 22, time.monotonic()) is None
    with table.board(time.monotonic(), DRAIN) as board:
        assert sorted(s.ticket for s in board.running) == list(range(1, SLOTS + 1))
        board.end(own, 5)
        again = board.start(own, 99, 22, time.monotonic())
        assert again is not None and again.index == taken[4].index  # the row just given back


def test_a_query_changes_only_its_own_row():
    table = ClientTable.shared()
    own = os.getpid()
    with table.board(time.monotonic(), DRAIN) as board:
        mine = board.start(own, 7, 33, time.monotonic())
    with table.own_slot(mine.index, own, 7) as slot:
        slot.worker, slot.computing = 4242, True
    with table.own_slot(mine.index, own, 8) as slot:  # another ticket: not its row
        assert slot is None
    with table.board(time.monotonic(), DRAIN) as board:
        (row,) = board.running
        assert (row.ticket, row.worker, row.computing, row.key) == (7, 4242, True, 33)
