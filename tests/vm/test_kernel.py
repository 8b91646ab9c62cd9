"""Kernel paths of the Raspberry Pi's kernel, in a Debian-kernel VM (one boot
for the module): the modules hgw needs, ip6gre as hybridd's kernel mode
wants it, a VLAN 7 WAN device, netem.  The guest runs tests/vm/guest/kernel.sh;
pcaps and ip -j dumps it leaves are judged here on the host."""
import json

import pytest

import vmcase
from hgwtest import tshark_check, tshark_fields

GUEST = vmcase.GuestScript("kernel.sh", [
    "modules_load", "ip6gre_config", "ip6gre_traffic", "vlan7", "netem_delay",
    "netlinkd_ip6gre"])
vm = GUEST.fixture()


def host_ip6gre_config(vm):
    link = json.loads(vm.read("ip6gre-config.json"))[0]
    info = link["linkinfo"]
    assert info["info_kind"] == "ip6gre"
    d = info["info_data"]
    assert (d["local"], d["remote"]) == ("2001:db8:1::1", "2001:db8:1::2")
    assert d["ikey"] == d["okey"] == "0.1.2.3"          # key 0x10203 both ways
    assert d.get("ip6_tnl_f_ign_encap_limit") is True   # encaplimit none
    assert "encap_limit" not in d
    for flag in ("iseq", "oseq", "icsum", "ocsum"):     # no sequence numbers/checksums
        assert flag not in d, f"{flag} set: {d}"
    assert link["mtu"] == 1452, link["mtu"]             # 1500 - 40 (IPv6) - 8 (GRE + key)


def host_ip6gre_traffic(vm):
    pcap = vm.path("ip6gre.pcap")
    tshark_check(pcap)
    # A GRE packet the far end refused comes back in an ICMPv6 error (type
    # 1-4).  (Router solicitations sent through the tunnel are GRE with
    # ICMPv6 inside: fine.)
    errs = tshark_fields(pcap, ["frame.number", "icmpv6.type"], "icmpv6.type <= 4")
    assert not errs, f"ICMPv6 errors on the underlay: {errs}"
    rows = tshark_fields(pcap, ["ipv6.nxt", "gre.flags.key", "gre.flags.sequence_number",
                                "gre.key", "gre.proto", "icmp.type"], "gre && !icmpv6")
    assert rows, "no GRE packet captured on the underlay"
    for nxt, kflag, sflag, key, proto, _ in rows:
        # GRE right after the IPv6 header: no encapsulation-limit option.
        assert nxt == "47", f"IPv6 next header {nxt}, expected 47 (GRE)"
        assert (kflag, sflag, key, proto) == ("1", "0", "0x00010203", "0x0800"), rows
    types = [r[5] for r in rows]
    assert types.count("8") >= 3 and types.count("0") >= 3, f"echo request/reply: {types}"


def host_vlan7(vm):
    pcap = vm.path("vlan7.pcap")
    tshark_check(pcap)
    rows = tshark_fields(pcap, ["vlan.id", "icmp.type"])
    assert rows and all(r[0] == "7" for r in rows), f"frames not tagged 7: {rows}"
    assert [r[1] for r in rows].count("0") >= 2, "no echo replies over VLAN 7"


def host_netem_delay(vm):
    q = json.loads(vm.read("netem.json"))
    netem = [x for x in q if x["kind"] == "netem"]
    assert netem and netem[0]["options"]["delay"]["delay"] == pytest.approx(0.15)


def host_netlinkd_ip6gre(vm):
    """netlinkd made the device hybrid.json asked for, said so, and it carried
    traffic with the key both ways; later it replaced and deleted it."""
    link = json.loads(vm.read("netlinkd-gre1.json"))[0]
    d = link["linkinfo"]["info_data"]
    assert link["linkinfo"]["info_kind"] == "ip6gre"
    assert (d["local"], d["remote"]) == ("2001:db8:100::2", "2001:db8:ffff::1")
    assert d["ikey"] == d["okey"] == "18.52.86.120"     # 0x12345678 both ways
    for flag in ("iseq", "oseq", "icsum", "ocsum"):
        assert flag not in d, f"{flag} set: {d}"
    assert link["mtu"] == 1448 and "UP" in link["flags"]
    created = json.loads(vm.read("netlinkd-created.json"))
    assert created["failed"] == 0, created
    assert [(t["name"], t["status"]) for t in created["tunnels"]] == [("gre1", "applied")]
    deleted = json.loads(vm.read("netlinkd-deleted.json"))
    assert deleted["tunnels"] == [] and deleted["failed"] == 0, deleted
    pcap = vm.path("netlinkd-gre1.pcap")
    tshark_check(pcap)
    rows = tshark_fields(pcap, ["ipv6.src", "ipv6.nxt", "gre.key",
                                "gre.flags.sequence_number", "icmp.type"], "gre && !icmpv6")
    sent = [r for r in rows if r[0] == "2001:db8:100::2"]
    assert sent and all(r[1:4] == ["47", "0x12345678", "0"] for r in rows), rows
    assert any(r[4] == "0" for r in rows), f"no echo reply came back: {rows}"


HOST_CHECKS = {
    "netlinkd_ip6gre": host_netlinkd_ip6gre,
    "ip6gre_config": host_ip6gre_config,
    "ip6gre_traffic": host_ip6gre_traffic,
    "vlan7": host_vlan7,
    "netem_delay": host_netem_delay,
}


@pytest.mark.parametrize("case", GUEST.cases)
def test_guest(vm, case):
    vm.check(case)
    if case in HOST_CHECKS:
        HOST_CHECKS[case](vm)


def test_run_clean(vm):
    vm.check_clean()
