"""Self-tests of the integration-test helpers: they must create what they
say, clean up after themselves, and the tshark judge must be able to fail."""
import json
import os
import socket
import subprocess

import pytest

from hgwtest import Net, sh, tshark_check, tshark_fields


def ns_names():
    return {line.split()[0] for line in sh("ip", "netns", "list").stdout.splitlines() if line}


def test_namespaces_veth_tun_are_created_and_removed(need_root):
    n = Net()
    try:
        a, b = n.ns("a"), n.ns("b")
        n.veth(a, "va", b, "vb")
        n.tun(a, "tun7")
        links = {l["ifname"]: l for l in n.ipj(a, "link", "show")}
        assert "va" in links and "tun7" in links
        assert links["va"]["operstate"] in ("UP", "LOWERLAYERDOWN", "UNKNOWN")
        assert "vb" in {l["ifname"] for l in n.ipj(b, "link", "show")}
        # DAD is off, so a link-local address is usable at once.
        addrs = n.ipj(b, "-6", "addr", "show", "dev", "vb")
        assert not any(ai.get("tentative") for x in addrs for ai in x["addr_info"])
        # A process left running inside is killed by cleanup.
        subprocess.Popen(["ip", "netns", "exec", a, "sleep", "60"])
        assert {a, b} <= ns_names()
    finally:
        n.cleanup()
    assert not {a, b} & ns_names()


def send_udp(ns, dst, port, payload):
    code = ("import socket,sys; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); "
            f"s.sendto(bytes.fromhex('{payload.hex()}'), ('{dst}', {port}))")
    sh("/usr/bin/python3", "-c", code, ns=ns)


def test_capture_and_tshark_judge(net, capture):
    a, b = net.ns("a"), net.ns("b")
    net.veth(a, "va", b, "vb")
    net.ip(a, "addr", "add", "192.0.2.1/24", "dev", "va")
    net.ip(b, "addr", "add", "192.0.2.2/24", "dev", "vb")
    cap = capture.start(b, "vb", "udp")
    # A well-formed DNS query for example.org, type A.
    good = bytes.fromhex("123401000001000000000000076578616d706c65036f72670000010001")
    send_udp(a, "192.0.2.2", 53, good)
    pcap = cap.stop()
    pkts = tshark_check(pcap, display_filter="dns")
    assert len(pkts) == 1
    rows = tshark_fields(pcap, ["dns.qry.name", "udp.dstport"])
    assert rows == [["example.org", "53"]]


def test_tshark_judge_rejects_malformed(net, capture):
    a, b = net.ns("a"), net.ns("b")
    net.veth(a, "va", b, "vb")
    net.ip(a, "addr", "add", "192.0.2.1/24", "dev", "va")
    net.ip(b, "addr", "add", "192.0.2.2/24", "dev", "vb")
    cap = capture.start(b, "vb", "udp")
    # DNS header claims one question but the name runs off the end.
    bad = bytes.fromhex("123401000001000000000000076578616d")
    send_udp(a, "192.0.2.2", 53, bad)
    pcap = cap.stop()
    with pytest.raises(AssertionError, match="malformed or erroneous"):
        tshark_check(pcap)
