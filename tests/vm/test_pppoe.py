"""PPPoE between real peers in a Debian-kernel VM (one boot for the module):
rp-pppoe's pppoe-server + pppd as the access concentrator, pppd with the
rp-pppoe.so plugin (kernel PPPoE) as the client.  This validates the AC that
pppoed (issue 6) is tested against (tests/vm/guest/pppoe-ac.sh).  The guest
runs tests/vm/guest/pppoe.sh; the pcaps of each exchange are dissected here
by tshark, which must find nothing malformed and the expected protocol steps.
"""
import pytest

import vmcase
from hgwtest import tshark_check, tshark_fields

GUEST = vmcase.GuestScript("pppoe.sh", [
    "pppoe_chap", "pppoe_pap", "pppoe_chap_wrong_password", "pppoe_pap_wrong_password",
    "pppoe_ac_terminate", "pppoe_ac_padt", "pppoe_ac_silent"])
vm = GUEST.fixture()

PADI, PADO, PADR, PADS, PADT = "0x09", "0x07", "0x19", "0x65", "0xa7"
LCP, IPCP, IPV6CP, CHAP, PAP = "0xc021", "0x8021", "0x8057", "0xc223", "0xc023"
CONF_ACK, TERM_REQ, ECHO_REQ, ECHO_REP = "2", "5", "9", "10"

FIELDS = ["eth.src", "pppoe.code", "ppp.protocol", "ppp.code", "chap.code", "pap.code",
          "ipcp.opt.pri_dns_address", "ipcp.opt.sec_dns_address", "icmp.type", "icmpv6.type"]


class Exchange:
    """One capture, as rows of FIELDS, with the AC told apart by its PADO."""

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
        out = []
        for r in self.rows:
            if r["ppp.protocol"] != proto or (code and r["ppp.code"] != code):
                continue
            if from_ac is not None and (r["eth.src"] == self.ac) != from_ac:
                continue
            out.append(r)
        return out

    def auth_codes(self, proto):
        key = "chap.code" if proto == CHAP else "pap.code"
        return [r[key] for r in self.rows if r["ppp.protocol"] == proto]


def check_session(vm, tag, auth, data=True):
    x = Exchange(vm, tag)
    assert x.discovery()[:4] == [PADI, PADO, PADR, PADS], x.discovery()
    if auth == "chap":   # Challenge, Response, Success
        assert x.auth_codes(CHAP)[:3] == ["1", "2", "3"], x.auth_codes(CHAP)
    else:                # Authenticate-Request, -Ack
        assert x.auth_codes(PAP)[:2] == ["1", "2"], x.auth_codes(PAP)
    # The AC acknowledges the client's IPCP request carrying the DNS it offered.
    acks = x.ctl(IPCP, CONF_ACK, from_ac=True)
    assert any(a["ipcp.opt.pri_dns_address"] == "10.64.0.53" and
               a["ipcp.opt.sec_dns_address"] == "10.64.0.54" for a in acks), acks
    assert x.ctl(IPCP, CONF_ACK, from_ac=False), "client never acked the AC's IPCP request"
    assert x.ctl(IPV6CP, CONF_ACK, from_ac=True) and x.ctl(IPV6CP, CONF_ACK, from_ac=False), \
        "IPv6CP not acked both ways"
    if data:   # the pings of c_session in the guest
        assert any(r["icmp.type"] == "0" for r in x.rows), "no IPv4 echo reply through the session"
        assert any(r["icmpv6.type"] == "129" for r in x.rows), \
            "no IPv6 echo reply through the session"
    return x


def host_session_chap(vm):
    x = check_session(vm, "pppoe-chap", "chap")
    # The client hung up with an LCP Terminate-Request.  (pppd 2.4.9's
    # rp-pppoe.so sends no PADT after it in kernel mode, so none is required.)
    assert x.ctl(LCP, TERM_REQ, from_ac=False), "client sent no LCP Terminate-Request"


def host_session_pap(vm):
    check_session(vm, "pppoe-pap", "pap")


def host_wrong_password(vm, auth):
    x = Exchange(vm, f"pppoe-{auth}-wrongpass")
    if auth == "chap":
        assert "4" in x.auth_codes(CHAP), f"no CHAP Failure: {x.auth_codes(CHAP)}"
    else:
        assert "3" in x.auth_codes(PAP), f"no PAP Authenticate-Nak: {x.auth_codes(PAP)}"
    assert not x.ctl(IPCP, CONF_ACK), "IPCP completed despite the failed authentication"


def host_ac_terminate(vm):
    x = check_session(vm, "pppoe-ac-terminate", "chap", data=False)
    assert x.ctl(LCP, TERM_REQ, from_ac=True), "AC sent no LCP Terminate-Request"


def host_ac_padt(vm):
    x = check_session(vm, "pppoe-ac-padt", "chap", data=False)
    padt = [r for r in x.rows if r["pppoe.code"] == PADT]
    assert padt and padt[0]["eth.src"] == x.ac, "first PADT is not the AC's"
    assert not x.ctl(LCP, TERM_REQ, from_ac=True), "AC said LCP goodbye; this case wants PADT only"


def host_ac_silent(vm):
    x = check_session(vm, "pppoe-ac-silent", "chap", data=False)
    # After the AC froze: the client's echo requests went unanswered, and
    # after the third it gave up with a Terminate-Request.
    unanswered = 0
    for r in x.rows:
        if r["ppp.protocol"] == "":
            continue
        if r["eth.src"] == x.ac:
            unanswered = 0
        elif r["ppp.protocol"] == LCP and r["ppp.code"] == ECHO_REQ:
            unanswered += 1
        elif r["ppp.protocol"] == LCP and r["ppp.code"] == TERM_REQ:
            break
    else:
        pytest.fail("the client sent no LCP Terminate-Request")
    assert unanswered >= 3, f"only {unanswered} unanswered echo requests before giving up"


HOST_CHECKS = {
    "pppoe_chap": host_session_chap,
    "pppoe_pap": host_session_pap,
    "pppoe_chap_wrong_password": lambda vm: host_wrong_password(vm, "chap"),
    "pppoe_pap_wrong_password": lambda vm: host_wrong_password(vm, "pap"),
    "pppoe_ac_terminate": host_ac_terminate,
    "pppoe_ac_padt": host_ac_padt,
    "pppoe_ac_silent": host_ac_silent,
}


@pytest.mark.parametrize("case", GUEST.cases)
def test_guest(vm, case):
    vm.check(case)
    HOST_CHECKS[case](vm)


def test_run_clean(vm):
    vm.check_clean()
