# AgentKernel stateful-session driver for bash (bash >= 4.3, no other tools needed except
# mktemp, sleep and kill for timeout_ms).
#
# Protocol: one compact JSON request per line on stdin,
#   {"id": N, "timeout_ms": N (optional), "code": "..."}
# (this driver requires "code" to be the LAST member and the other members to be numbers,
# which is how the AgentKernel host writes requests), and exactly one compact JSON response
# line per request on the original stdout,
#   {"id": N, "stdout": "...", "stderr": "...", "success": true|false,
#    "error": null | {"type": "...", "message": "...", "traceback": "..."},
#    "execution_time_ms": N}
#
# Each request's code is written to a file and sourced by this one bash process, with fd 1/2
# redirected to temporary files (so the output of child processes is captured) and fd 0 at
# /dev/null; the protocol fds are closed while user code runs. Variables, functions, aliases,
# options and the working directory persist. A nonzero status of the last command gives
# success false with error type "ExitStatus". `exit` (and a failing command under `set -e`)
# ends the shell itself: the host sees the interpreter die, like os._exit in Python.
# SIGINT aborts the running request (error type "Interrupted") via an INT trap plus an
# extdebug DEBUG trap that unwinds sourced code and functions; a foreground external command
# (e.g. sleep) only ends when it receives the signal too, so send SIGINT to the driver's
# process group. timeout_ms is enforced by a background timer that sends SIGINT (to the
# process group when the driver leads one, else to the driver and its direct children) and
# reports "Timeout".
# Known limits: NUL bytes in output are dropped; user code that replaces the INT or DEBUG
# traps disables interruption.

__ak_dir=$(mktemp -d "${TMPDIR:-/tmp}/ak-bash-session.XXXXXX") || exit 70
exec {__ak_in}<&0 {__ak_out}>&1 0</dev/null 1>/dev/null
__ak_intr=0
trap '__ak_intr=1' INT
__ak_pid=$BASHPID
trap '[[ $BASHPID == "$__ak_pid" ]] && rm -rf "$__ak_dir"' EXIT
shopt -s extdebug
set -T

__ak_dbg() {
    if [[ $__ak_intr == 1 && " ${FUNCNAME[*]:1} " == *" __ak_exec "* ]]; then
        return 2
    fi
    return 0
}
trap '__ak_dbg' DEBUG

__ak_exec() {
    builtin source "$__ak_dir/code"
}

__ak_now_ms() {
    if [[ -n ${EPOCHREALTIME:-} ]]; then
        local t=${EPOCHREALTIME/[.,]/}
        REPLY=$(( 10#$t / 1000 ))
    else
        REPLY=$(( SECONDS * 1000 ))
    fi
}

# Decodes a JSON string body (without the quotes) into REPLY.
__ak_unescape() {
    local LC_ALL=C s=$1 out='' c hex cp lo esc ch
    while [[ $s == *\\* ]]; do
        out+=${s%%\\*}
        s=${s#*\\}
        c=${s:0:1}
        case $c in
            n) out+=$'\n'; s=${s:1} ;;
            t) out+=$'\t'; s=${s:1} ;;
            r) out+=$'\r'; s=${s:1} ;;
            b) out+=$'\b'; s=${s:1} ;;
            f) out+=$'\f'; s=${s:1} ;;
            u)
                hex=${s:1:4}; s=${s:5}
                cp=$(( 16#$hex ))
                if (( cp >= 0xD800 && cp < 0xDC00 )) && [[ $s == \\u* ]]; then
                    lo=$(( 16#${s:2:4} ))
                    if (( lo >= 0xDC00 && lo < 0xE000 )); then
                        cp=$(( 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00) ))
                        s=${s:6}
                    fi
                fi
                if (( cp == 0 )); then
                    continue
                elif (( cp < 0x80 )); then
                    printf -v esc '\\x%02x' "$cp"
                elif (( cp < 0x800 )); then
                    printf -v esc '\\x%02x\\x%02x' $(( 0xC0 | cp >> 6 )) $(( 0x80 | (cp & 0x3F) ))
                elif (( cp < 0x10000 )); then
                    printf -v esc '\\x%02x\\x%02x\\x%02x' $(( 0xE0 | cp >> 12 )) $(( 0x80 | ((cp >> 6) & 0x3F) )) $(( 0x80 | (cp & 0x3F) ))
                else
                    printf -v esc '\\x%02x\\x%02x\\x%02x\\x%02x' $(( 0xF0 | cp >> 18 )) $(( 0x80 | ((cp >> 12) & 0x3F) )) $(( 0x80 | ((cp >> 6) & 0x3F) )) $(( 0x80 | (cp & 0x3F) ))
                fi
                printf -v ch "$esc"
                out+=$ch
                ;;
            *) out+=$c; s=${s:1} ;;
        esac
    done
    REPLY=$out$s
}

# Encodes $1 as a JSON string (with quotes) into REPLY; bytes >= 0x80 are passed through.
__ak_quote() {
    local LC_ALL=C s=$1 i ch esc
    s=${s//\\/\\\\}
    s=${s//\"/\\\"}
    s=${s//$'\n'/\\n}
    s=${s//$'\r'/\\r}
    s=${s//$'\t'/\\t}
    if [[ $s == *[$'\001'-$'\037'$'\177']* ]]; then
        for (( i = 1; i < 32; i++ )); do
            printf -v esc '\\x%02x' "$i"
            printf -v ch "$esc"
            if [[ $s == *"$ch"* ]]; then
                printf -v esc '\\u%04x' "$i"
                s=${s//"$ch"/$esc}
            fi
        done
        s=${s//$'\177'/\\u007f}
    fi
    REPLY="\"$s\""
}

__ak_read_file() {
    REPLY=''
    IFS= read -r -d '' REPLY < "$1" || true
}

__ak_start_timer() {
    # $1 = timeout in ms; sets __ak_timer to the timer's pid
    local ms=$1 target=$$ secs pgrp=''
    if [[ -r /proc/$$/stat ]]; then
        local st
        st=$(< /proc/$$/stat)
        st=${st##*) }
        read -r _ _ pgrp _ <<< "$st"
    fi
    if [[ $pgrp == "$$" ]]; then
        target=-$$
    fi
    printf -v secs '%d.%03d' $(( ms / 1000 )) $(( ms % 1000 ))
    (
        trap - EXIT DEBUG
        exec {__ak_in}<&- {__ak_out}>&- </dev/null >/dev/null 2>&1
        trap '' INT
        trap '[[ -n ${sp:-} ]] && kill "$sp" 2>/dev/null; exit 0' TERM
        sleep "$secs" & sp=$!
        wait "$sp"
        : > "$__ak_dir/timeout"
        kill -INT -- "$target"
        if [[ $target != -* && -r /proc/$$/task/$$/children ]]; then
            kids=$(< "/proc/$$/task/$$/children")
            [[ -n ${kids// /} ]] && kill -INT $kids 2>/dev/null
        fi
    ) &
    __ak_timer=$!
}

while :; do
    __ak_line=''
    IFS= read -r -u "$__ak_in" __ak_line
    __ak_rs=$?
    if (( __ak_rs > 128 )); then
        continue
    fi
    if (( __ak_rs != 0 )) && [[ -z $__ak_line ]]; then
        break
    fi
    [[ -z ${__ak_line//[[:space:]]/} ]] && continue

    __ak_id=null
    __ak_timeout=0
    __ak_head=${__ak_line%%\"code\"*}
    if [[ $__ak_head =~ \"id\"[[:space:]]*:[[:space:]]*(-?[0-9]+) ]]; then
        __ak_id=${BASH_REMATCH[1]}
    fi
    if [[ $__ak_head =~ \"timeout_ms\"[[:space:]]*:[[:space:]]*([0-9]+) ]]; then
        __ak_timeout=${BASH_REMATCH[1]}
    fi
    if [[ $__ak_line != *\"code\"*:*\"* ]]; then
        printf '{"id":%s,"stdout":"","stderr":"","success":false,"error":{"type":"ProtocolError","message":"request has no code member","traceback":""},"execution_time_ms":0}\n' "$__ak_id" >&"$__ak_out"
        continue
    fi
    __ak_body=${__ak_line#*\"code\"}
    __ak_body=${__ak_body#*\"}
    __ak_body=${__ak_body%\"*}
    __ak_unescape "$__ak_body"
    printf '%s' "$REPLY" > "$__ak_dir/code"
    : > "$__ak_dir/out"
    : > "$__ak_dir/err"
    rm -f "$__ak_dir/timeout"

    __ak_now_ms; __ak_t0=$REPLY
    __ak_timer=''
    if (( __ak_timeout > 0 )); then
        __ak_start_timer "$__ak_timeout"
    fi
    __ak_intr=0
    eval "__ak_exec >\"\$__ak_dir/out\" 2>\"\$__ak_dir/err\" </dev/null ${__ak_in}<&- ${__ak_out}>&-"
    __ak_status=$?
    if [[ -n $__ak_timer ]]; then
        kill "$__ak_timer" 2>/dev/null
        wait "$__ak_timer" 2>/dev/null
    fi
    __ak_was_intr=$__ak_intr
    __ak_intr=0
    __ak_now_ms; __ak_elapsed=$(( REPLY - __ak_t0 ))

    __ak_read_file "$__ak_dir/out"; __ak_quote "$REPLY"; __ak_o=$REPLY
    __ak_read_file "$__ak_dir/err"; __ak_quote "$REPLY"; __ak_e=$REPLY
    if [[ $__ak_was_intr == 1 || -e $__ak_dir/timeout ]]; then
        if [[ -e $__ak_dir/timeout ]]; then
            __ak_err="{\"type\":\"Timeout\",\"message\":\"execution exceeded $__ak_timeout ms\",\"traceback\":\"\"}"
        else
            __ak_err='{"type":"Interrupted","message":"execution was interrupted","traceback":""}'
        fi
        __ak_ok=false
    elif (( __ak_status != 0 )); then
        __ak_err="{\"type\":\"ExitStatus\",\"message\":\"exit status $__ak_status\",\"traceback\":\"\"}"
        __ak_ok=false
    else
        __ak_err=null
        __ak_ok=true
    fi
    rm -f "$__ak_dir/timeout"
    printf '{"id":%s,"stdout":%s,"stderr":%s,"success":%s,"error":%s,"execution_time_ms":%d}\n' \
        "$__ak_id" "$__ak_o" "$__ak_e" "$__ak_ok" "$__ak_err" "$__ak_elapsed" >&"$__ak_out"
done
exit 0
