#!/usr/bin/env bats
# Fault injection (issue 6 §2, docs/reliability.md): the CLI or the supervisor SIGKILLed at each
# step of `up` and of `down` (the test hook BERTH_FAULT_KILL_AT, common/faultpoint.h), the
# containers SIGKILLed between steps. Each time: the CLI is killed or prints one error, the next
# `up -d` (or `down`) converges, nothing is leaked, the named volume's file is byte-identical.
load helpers
load lib/stack
load lib/fault

setup() { fault_setup; }
teardown() { fault_teardown; }

@test "up: CLI killed after load" { fault_up_case up.load; }
@test "up: CLI killed after images" { fault_up_case up.images; }
@test "up: CLI killed after the network and bridge" { fault_up_case up.net; }
@test "up: CLI killed after reconcile" { fault_up_case up.reconcile; }
@test "up: CLI killed after the supervisor spawn" { fault_up_case up.super; }
@test "up: CLI killed after the containers started" { fault_up_case up.start; }
@test "up: CLI killed after the nft ports" { fault_up_case up.ports; }
@test "up: CLI killed before --wait" { fault_up_case up.wait; }
@test "up: supervisor killed after taking the lock" { fault_up_case super.lock; }
@test "up: supervisor killed after listening" { fault_up_case super.listen; }
@test "up: supervisor killed after creating the 1st container" { fault_up_case super.ctr.create; }
@test "up: supervisor killed after starting the 1st container" { fault_up_case super.ctr.start; }
@test "up: supervisor killed after creating the 2nd container" { fault_up_case super.ctr.create:2; }
@test "up: supervisor killed after starting the 2nd container" { fault_up_case super.ctr.start:2; }
@test "up: CLI killed after start, containers killed too" { fault_up_case up.start kill; }
@test "up: CLI killed after ports, containers killed too" { fault_up_case up.ports kill; }
@test "up: supervisor killed after the 1st start, containers killed too" { fault_up_case super.ctr.start kill; }
@test "up: containers killed after a complete up" { fault_up_case up.never kill; }

@test "down: CLI killed after load" { fault_down_case down.load; }
@test "down: CLI killed after the supervisor stopped everything" { fault_down_case down.stop; }
@test "down: CLI killed after removing the 1st container" { fault_down_case down.rm; }
@test "down: CLI killed after removing the 2nd container" { fault_down_case down.rm:2; }
@test "down: CLI killed after the nft table removal" { fault_down_case down.nft; }
@test "down: CLI killed after the bridge removal" { fault_down_case down.bridge; }
@test "down: CLI killed after the network" { fault_down_case down.net; }
@test "down: CLI killed before the state removal" { fault_down_case down.state; }
@test "down: supervisor killed on receiving down" { fault_down_case super.down; }
@test "down: supervisor killed after the 1st container stopped" { fault_down_case super.ctr.stopped; }
@test "down: supervisor killed after the 2nd container stopped" { fault_down_case super.ctr.stopped:2; }
@test "down: supervisor killed before removing the state" { fault_down_case super.state; }
@test "down: containers killed, then CLI killed after the supervisor stop" { fault_down_case down.stop kill; }
@test "down: containers killed, then supervisor killed on receiving down" { fault_down_case super.down kill; }
@test "up: supervisor killed between clone and exec of the 1st container" { fault_up_case super.rt.cloned; }
@test "up: supervisor killed with the 1st container configured, before its exec" { fault_up_case super.rt.configured; }
@test "up: supervisor killed between clone and exec of the 2nd container" { fault_up_case super.rt.cloned:2; }
@test "up: CLI killed before --wait, containers killed too" { fault_up_case up.wait kill; }
@test "up: supervisor killed after starting the 2nd container, containers killed too" { fault_up_case super.ctr.start:2 kill; }
@test "down: containers killed, then CLI killed after load" { fault_down_case down.load kill; }
@test "down: containers killed, then CLI killed after removing the 1st container" { fault_down_case down.rm kill; }
@test "up killed, then down at once: CLI after the network" { fault_up_down_case up.net; }
@test "up killed, then down at once: CLI after the supervisor spawn" { fault_up_down_case up.super; }
@test "up killed, then down at once: CLI after start" { fault_up_down_case up.start; }
@test "up killed, then down at once: supervisor between clone and exec" { fault_up_down_case super.rt.cloned; }
@test "up killed, then down at once: supervisor with the container configured" { fault_up_down_case super.rt.configured; }
@test "up killed, then down at once: supervisor after the 2nd create" { fault_up_down_case super.ctr.create:2; }
@test "up: CLI killed in the middle of a blob download" { fault_pull_case pull.blob.write:3; }
@test "up: CLI killed after a blob is stored" { fault_pull_case pull.blob; }
@test "up: CLI killed with a layer unpacked, not committed" { fault_pull_case pull.unpack; }
