"""DHCP inside the bond: real Kea on the HAAP's side of the tunnel, hgw's
dhcp6c on hybridd's TUN; the delegated prefix ends up in the lease file and
hybridd reports it to the HAAP (Notify 21, Hello attribute 13)."""
import os
import sys
import time

import pytest

import hyblab
from hgwtest import need_binary, sh, wait_state
from hyblab import bonded

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "dhcp"))
import dhcplab  # noqa: E402


@pytest.fixture
def lab(net, tmp_path):
    need_binary("hybridd")
    lab = hyblab.Lab(net, tmp_path)
    yield lab
    lab.close()


def test_dhcpv6_pd_inside_the_bond(lab, daemons, tmp_path):
    need_binary("dhcp6c")
    lab.start_haap()
    lab.links_up()
    d = lab.start_hybridd(daemons)
    lab.wait(bonded, timeout=10, daemon=d)
    lab.address_tun()
    # link-locals on both ends of the bond (netlinkd's job on the router)
    lab.net.ip(lab.h, "-6", "addr", "add", "fe80::1/64", "dev", "bond0", "nodad")
    lab.net.ip(lab.r, "-6", "addr", "add", "fe80::2/64", "dev", "hybrid0", "nodad")
    wd = str(tmp_path / "kea")
    kea = dhcplab.start_kea(lab.h, wd, dhcplab.kea6_config(wd, "bond0", na=False, pd=True))
    try:
        c = daemons.start("dhcp6c", {"dhcp6c": {"interface": "hybrid0", "ia_pd": True,
                                                "ia_na": False, "initial_delay_max_ms": 0}},
                          ns=lab.r, state_dir=lab.state_dir)
        lease = wait_state(lab.state_dir, "dhcp6.hybrid0.json",
                           lambda x: x["state"] == "bound" and x["prefixes"], timeout=15,
                           daemon=c)
        prefix = lease["prefixes"][0]["prefix"]
        assert prefix.startswith("2001:db8:1") and prefix.endswith("/56")
        doc = lab.wait(lambda x: x["prefix"] == prefix, timeout=5, daemon=d)
        # the HAAP's DHCP replies came without sequence numbers, delivered at once
        assert doc["dataplane"]["unsequenced"] >= 2
        deadline = time.monotonic() + 5
        while True:
            s = lab.status()["sessions"][0]
            if s["prefix21"] == prefix and s["prefix13"] == prefix:
                break
            assert time.monotonic() < deadline, s
            time.sleep(0.1)
    finally:
        kea.stop()


def test_dhcpv4_inside_the_bond(lab, daemons, tmp_path):
    need_binary("dhcp4c")
    lab.start_haap()
    lab.links_up()
    d = lab.start_hybridd(daemons)
    lab.wait(bonded, timeout=10, daemon=d)
    lab.address_tun()
    lab.net.ip(lab.h, "addr", "add", "10.77.0.1/24", "dev", "bond0")
    dm = dhcplab.start_dnsmasq(lab.h, str(tmp_path / "dm"), "bond0",
                               rng="10.77.0.100,10.77.0.150,255.255.255.0,2m")
    try:
        c = daemons.start("dhcp4c", {"dhcp4c": {"interface": "hybrid0", "initial_delay_max_ms": 0,
                                                "first_retransmit_ms": 1000, "arp_probe_ms": 200}},
                          ns=lab.r, state_dir=lab.state_dir)
        lease = wait_state(lab.state_dir, "dhcp4.hybrid0.json",
                           lambda x: x["state"] == "bound" and x["address"], timeout=15, daemon=c)
        assert lease["address"].startswith("10.77.0.1")
        doc = lab.wait(lambda x: x["dataplane"]["unsequenced"] >= 2, timeout=5, daemon=d)
    finally:
        dm.stop()
