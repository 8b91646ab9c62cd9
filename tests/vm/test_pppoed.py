"""pppoed (issue 6) against the real access concentrator in the Debian-kernel
VM: rp-pppoe's pppoe-server + pppd (tests/vm/guest/pppoe-ac.sh), pppoed with
the kernel data plane (AF_PPPOX, /dev/ppp, ppp0) and the userspace one (TUN),
CHAP and PAP, IPCP with DNS and IPv6CP, pings through the session, a wrong
password, the server's pppd killed / frozen / terminating and its PADT.
The guest runs tests/vm/guest/pppoed.sh; every pcap is dissected here by
tshark (nothing malformed) and the protocol steps are checked."""
import json

import pytest

import vmcase
from hgwtest import tshark_check, tshark_fields

GUEST = vmcase.GuestScript("pppoed.sh", [
    "pppoed_kernel_chap", "pppoed_kernel_pap", "pppoed_user_chap", "pppoed_user_pap",
    "pppoed_wrong_password", "pppoed_ac_killed", "pppoed_ac_silent", "pppoed_ac_padt",
    "pppoed_ac_terminate"], timeout=420)
vm = GUEST.fixture()

PADI, PADO, PADR, PADS, PADT = "0x09", "0x07", "0x19", "0x65", "0xa7"
LCP, IPCP, IPV6CP, CHAP, PAP = "0xc021", "0x8021", "0x8057", "0xc223", "0xc023"
CONF_REQ, CONF_ACK, TERM_REQ, TERM_ACK, ECHO_REQ = "1", "2", "5", "6", "9"
FIELDS = ["eth.src", "pppoe.code", "ppp.protocol", "ppp.code", "chap.code", "pap.code",
          "ipcp.opt.pri_dns_address", "icmp.type", "icmpv6.type", "pppoed.tags.host_uniq"]


class Exchange:
    def __init__(self, vm, tag):
        self.pcap = vm.path(f"{tag}.pcap")
        tshark_check(self.pcap)
        self.rows = [dict(zip(FIELDS, r + [""] * (len(FIELDS) - len(r))))
                     for r in tshark_fields(self.pcap, FIELDS, "pppoed || pppoes")]
        pado = [r for r in self.rows if r["pppoe.code"] == PADO]
        assert pado, f"no PADO in {self.pcap}"
        self.ac = pado[0]["eth.src"]

    def discovery(self):
        return [r["pppoe.code"] for r in self.rows if r["pppoe.code"] != "0x00"]

    def ctl(self, proto, code=None, from_ac=None):
        return [r for r in self.rows if r["ppp.protocol"] == proto and
                (code is None or r["ppp.code"] == code) and
                (from_ac is None or (r["eth.src"] == self.ac) == from_ac)]

    def index(self, pred):
        return [i for i, r in enumerate(self.rows) if pred(r)]


def host_up(vm, tag, auth):
    x = Exchange(vm, tag)
    assert x.discovery()[:4] == [PADI, PADO, PADR, PADS], x.discovery()
    # pppoed's PADI carries a Host-Uniq (RFC 2516 5.1)
    assert x.rows[0]["pppoed.tags.host_uniq"], x.rows[0]
    codes = [r["chap.code" if auth == "chap" else "pap.code"] for r in x.rows
             if r["ppp.protocol"] == (CHAP if auth == "chap" else PAP)]
    assert codes[:3 if auth == "chap" else 2] == (["1", "2", "3"] if auth == "chap" else ["1", "2"]), codes
    acks = x.ctl(IPCP, CONF_ACK, from_ac=True)
    assert any(a["ipcp.opt.pri_dns_address"] == "10.64.0.53" for a in acks), acks
    assert x.ctl(IPCP, CONF_ACK, from_ac=False) and x.ctl(IPV6CP, CONF_ACK, from_ac=True) \
        and x.ctl(IPV6CP, CONF_ACK, from_ac=False), "an NCP was not acked both ways"
    assert any(r["icmp.type"] == "0" for r in x.rows), "no IPv4 echo reply through the session"
    assert any(r["icmpv6.type"] == "129" for r in x.rows), "no IPv6 echo reply through the session"
    # SIGTERM: our Terminate-Request, the server's Ack, then our PADT.
    treq = x.index(lambda r: r["ppp.protocol"] == LCP and r["ppp.code"] == TERM_REQ
                   and r["eth.src"] != x.ac)
    tack = x.index(lambda r: r["ppp.protocol"] == LCP and r["ppp.code"] == TERM_ACK
                   and r["eth.src"] == x.ac)
    padt = x.index(lambda r: r["pppoe.code"] == PADT and r["eth.src"] != x.ac)
    assert treq and tack and padt, (treq, tack, padt)
    assert treq[0] < tack[0] < padt[0], (treq, tack, padt)
    doc = json.loads(vm.read(f"{tag}-pppoe.json"))
    assert doc["ipv4"]["dns"] == ["10.64.0.53", "10.64.0.54"]
    assert doc["ipv6"]["peer"] == "fe80::1"


def host_wrong_password(vm):
    x = Exchange(vm, "pppoed-wrongpass")
    assert "4" in [r["chap.code"] for r in x.rows if r["ppp.protocol"] == CHAP], "no CHAP Failure"
    assert not x.ctl(IPCP), "IPCP despite the failed authentication"
    # one attempt only within the capture: the long backoff holds
    assert x.discovery().count(PADI) == 1, x.discovery()
    doc = json.loads(vm.read("pppoed-wrongpass-pppoe.json"))
    assert doc["state"] == "failed" and "authentication failed" in doc["last_failure"]


def host_ac_ends(vm, how):
    x = Exchange(vm, f"pppoed-ac-{how}")
    d = x.discovery()
    assert d.count(PADS) >= 2, f"no second session: {d}"
    if how == "silent":
        # after the AC went quiet: our echo requests, unanswered, then a new PADI
        second = [i for i, r in enumerate(x.rows) if r["pppoe.code"] == PADS][1]
        ac_said = [i for i, r in enumerate(x.rows[:second]) if r["ppp.protocol"] == LCP
                   and r["eth.src"] == x.ac]
        echoes = [r for r in x.rows[ac_said[-1] + 1:second] if r["ppp.protocol"] == LCP
                  and r["ppp.code"] == ECHO_REQ and r["eth.src"] != x.ac]
        assert len(echoes) >= 3, f"{len(echoes)} unanswered echo requests before the new session"
    if how in ("padt", "kill"):
        assert any(r["pppoe.code"] == PADT and r["eth.src"] == x.ac for r in x.rows)
    if how == "terminate":
        assert x.ctl(LCP, TERM_REQ, from_ac=True) and x.ctl(LCP, TERM_ACK, from_ac=False)


HOST_CHECKS = {
    "pppoed_kernel_chap": lambda vm: host_up(vm, "pppoed-kernel-chap", "chap"),
    "pppoed_kernel_pap": lambda vm: host_up(vm, "pppoed-kernel-pap", "pap"),
    "pppoed_user_chap": lambda vm: host_up(vm, "pppoed-user-chap", "chap"),
    "pppoed_user_pap": lambda vm: host_up(vm, "pppoed-user-pap", "pap"),
    "pppoed_wrong_password": host_wrong_password,
    "pppoed_ac_killed": lambda vm: host_ac_ends(vm, "kill"),
    "pppoed_ac_silent": lambda vm: host_ac_ends(vm, "silent"),
    "pppoed_ac_padt": lambda vm: host_ac_ends(vm, "padt"),
    "pppoed_ac_terminate": lambda vm: host_ac_ends(vm, "terminate"),
}


@pytest.mark.parametrize("case", GUEST.cases)
def test_guest(vm, case):
    vm.check(case)
    HOST_CHECKS[case](vm)


def test_run_clean(vm):
    vm.check_clean()
