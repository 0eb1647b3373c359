# Several "hosts" on one machine: network namespaces joined by veth pairs to
# a bridge that lives in a namespace of its own (sourced by the harnesses).
#
#   netns_create PREFIX COUNT SUBNET [BRIDGE_ADDRESS]
#       PREFIX   names: namespaces PREFIX-h1 … PREFIX-hCOUNT and PREFIX-br
#       SUBNET   the first three octets of a private /24 (10.213.77): host k
#                gets SUBNET.k on its `eth0`; nothing outside these
#                namespaces uses it
#       BRIDGE_ADDRESS  optional last octet for an address on the bridge itself
#   netns_destroy     kills every process left in the namespaces (by pid, as
#                     listed by `ip netns pids`), then deletes them
#   netns_run NS COMMAND…   runs COMMAND in NS with its own hostname NS
#
# After netns_create: NETNS_HOSTS (names = hostnames), NETNS_ADDRESSES,
# NETNS_BRIDGE, NETNS_SUBNET (CIDR). The host's own network is never touched.

NETNS_HOSTS=()
NETNS_ADDRESSES=()
NETNS_BRIDGE=""
NETNS_SUBNET=""
NETNS_CREATED=()

netns_create() {
    local prefix="$1" count="$2" subnet="$3" bridge_address="${4:-}"
    NETNS_BRIDGE="$prefix-br"
    NETNS_SUBNET="$subnet.0/24"
    ip netns add "$NETNS_BRIDGE" || return 1
    NETNS_CREATED+=("$NETNS_BRIDGE")
    ip -n "$NETNS_BRIDGE" link set lo up
    ip -n "$NETNS_BRIDGE" link add br0 type bridge
    ip -n "$NETNS_BRIDGE" link set br0 up
    [[ -z "$bridge_address" ]] || ip -n "$NETNS_BRIDGE" addr add "$subnet.$bridge_address/24" dev br0
    local k host
    for (( k = 1; k <= count; k++ )); do
        host="$prefix-h$k"
        ip netns add "$host" || return 1
        NETNS_CREATED+=("$host")
        ip -n "$host" link set lo up
        # The veth pair: eth0 inside the host, hK on the bridge.
        ip -n "$host" link add eth0 type veth peer name "h$k" netns "$NETNS_BRIDGE" || return 1
        ip -n "$NETNS_BRIDGE" link set "h$k" master br0
        ip -n "$NETNS_BRIDGE" link set "h$k" up
        ip -n "$host" addr add "$subnet.$k/24" dev eth0
        ip -n "$host" link set eth0 up
        NETNS_HOSTS+=("$host")
        NETNS_ADDRESSES+=("$subnet.$k")
    done
}

netns_destroy() {
    local ns pid round left
    # Kill until the namespaces are empty (a dying daemon may still fork), up to 5 s.
    for round in $(seq 25); do
        left=""
        for ns in "${NETNS_CREATED[@]}"; do
            for pid in $(ip netns pids "$ns" 2>/dev/null); do
                left+=" $pid"
                kill -9 "$pid" 2>/dev/null || true
            done
        done
        [[ -n "$left" ]] || break
        sleep 0.2
    done
    for ns in "${NETNS_CREATED[@]}"; do
        ip netns del "$ns" 2>/dev/null || true
    done
    NETNS_CREATED=()
}

# netns_leftover_pids: pids still running in the host namespaces.
netns_leftover_pids() {
    local host
    for host in "${NETNS_HOSTS[@]}"; do
        ip netns pids "$host" 2>/dev/null
    done
}

netns_run() {
    local ns="$1"; shift
    ip netns exec "$ns" unshare --uts sh -c 'hostname "$0" && exec "$@"' "$ns" "$@"
}

# netns_bytes NS: "RX TX" byte counters of NS's eth0, read from `ip -s link`.
netns_bytes() {
    ip -n "$1" -s link show dev eth0 | awk '
        /RX:/ { getline; rx = $1 }
        /TX:/ { getline; tx = $1 }
        END   { print rx, tx }'
}

# netns_bridge_port HOST: the bridge-side end of HOST's veth (hK).
netns_bridge_port() {
    echo "h${1##*-h}"
}

# netns_wait_reachable HOST ADDRESS: waits (up to 10 s) until HOST reaches ADDRESS again, for
# example after its link came back up (the bridge port forwards again only after a moment).
# A TCP connection to a closed port is refused at once when the address is reachable.
netns_wait_reachable() {
    local _
    for _ in $(seq 1 50); do
        if ip netns exec "$1" timeout 1 bash -c "exec 3<>/dev/tcp/$2/9" 2>&1 | grep -q "refused"; then
            sleep 1
            return 0
        fi
        sleep 0.2
    done
    return 1
}
