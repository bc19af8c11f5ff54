# tests/redis/lib.sh - start and stop a private redis-server for a test
# (sourced).  The server listens on a unix socket in its own directory and,
# when asked, on a free TCP port on 127.0.0.1; AOF is on, fsync on every
# write, so a kill -9 loses nothing that was acknowledged.  Every server is
# stopped on exit.

redis_pids=()

redis_cleanup() {
	for p in "${redis_pids[@]}"; do
		kill -9 "$p" 2>/dev/null || true
	done
}
trap redis_cleanup EXIT

# A free TCP port on 127.0.0.1 (nothing answers on it right now).
free_port() {
	local p
	for _ in $(seq 1 50); do
		p=$((20000 + RANDOM % 30000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# redis_start DIR [PORT] [extra redis-server args...]: sets REDIS_PID.
redis_start() {
	local dir=$1 port=${2:-0}
	shift 2 || shift $#
	mkdir -p "$dir"
	redis-server --bind 127.0.0.1 --port "$port" --unixsocket "$dir/redis.sock" \
		--unixsocketperm 700 --dir "$dir" --appendonly yes --appendfsync always \
		--save "" --daemonize no --logfile "$dir/redis.log" "$@" &
	REDIS_PID=$!
	disown "$REDIS_PID" # no "Killed" job notices when a test kills it
	redis_pids+=("$REDIS_PID")
	for _ in $(seq 1 100); do
		# A server with requirepass answers NOAUTH: up all the same.
		if redis-cli -s "$dir/redis.sock" ping 2>&1 | grep -q 'PONG\|NOAUTH'; then
			return 0
		fi
		sleep 0.05
	done
	echo "redis-server did not start; log:" >&2
	cat "$dir/redis.log" >&2
	return 1
}
