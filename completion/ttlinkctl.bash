# bash completion for ttlinkctl (installed as
# /usr/share/bash-completion/completions/ttlinkctl). Commands and options as
# in ctl/commands.cpp; link and alert ids are read from the daemon when it
# answers (members of group ttlink).

_ttlinkctl_ids() {  # _ttlinkctl_ids links|alerts: ids from ttlinkctl --json
	local socket=()
	[[ -n ${_ttlinkctl_socket-} ]] && socket=(--socket "$_ttlinkctl_socket")
	case $1 in
		links) ttlinkctl "${socket[@]}" --json links 2>/dev/null |
			grep -o '"id":"[^"]*"' | cut -d'"' -f4 ;;
		# alert ids are ULIDs (26 characters); the nested link ids are not
		alerts) ttlinkctl "${socket[@]}" --json alerts 2>/dev/null |
			grep -o '"id":"[0-9A-Z]\{26\}"' | cut -d'"' -f4 ;;
	esac
}

_ttlinkctl() {
	local cur prev words cword
	_init_completion || return

	local commands="status links link reauth unlink check refresh alerts alert posts comments comment sync identities spark campaign report reload version methods backup"
	local globals="--socket --json --help"
	local i cmd="" sub="" _ttlinkctl_socket=""
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
			--socket) _ttlinkctl_socket=${words[i + 1]}; ((i++)) ;;
			-*) ;;
			*) if [[ -z $cmd ]]; then cmd=${words[i]}; elif [[ -z $sub ]]; then sub=${words[i]}; fi ;;
		esac
	done

	case $prev in
		--socket) _filedir; return ;;
		--status) COMPREPLY=($(compgen -W "new replied hidden" -- "$cur")); return ;;
		--link) COMPREPLY=($(compgen -W "$(_ttlinkctl_ids links)" -- "$cur")); return ;;
		--objective) COMPREPLY=($(compgen -W "TRAFFIC REACH VIDEO_VIEWS" -- "$cur")); return ;;
		--advertiser | --code | --state | --since | --search | --limit | --timeout) return ;;
		--name | --daily-budget | --total-budget | --end | --start | --post | --location) return ;;
		--landing-url | --cta) return ;;
	esac

	if [[ -z $cmd ]]; then
		COMPREPLY=($(compgen -W "$commands $globals" -- "$cur"))
		return
	fi

	local opts=""
	case $cmd in
		link)
			case $sub in
				"") opts="show start complete" ;;
				show) [[ $cur != -* ]] && opts="$(_ttlinkctl_ids links)" ;;
				start) opts="--advertiser --no-wait --timeout" ;;
				complete) opts="--code --state" ;;
			esac ;;
		reauth) opts="--no-wait --timeout"; [[ $cur != -* ]] && opts+=" $(_ttlinkctl_ids links)" ;;
		unlink | check | refresh | sync) [[ $cur != -* && -z $sub ]] && opts="$(_ttlinkctl_ids links)" ;;
		alerts) opts="--all" ;;
		alert)
			case $sub in
				"") opts="ack test" ;;
				ack) opts="$(_ttlinkctl_ids alerts)" ;;
			esac ;;
		posts) opts="--expiring" ;;
		comments) opts="--link --since --status --search --limit" ;;
		comment) [[ -z $sub ]] && opts="reply hide unhide" ;;
		identities) opts="--link" ;;
		spark)
			case $sub in
				"") opts="authorize unbind" ;;
				authorize | unbind) opts="--link" ;;
			esac ;;
		campaign)
			case $sub in
				"") opts="create" ;;
				create) opts="--link --objective --name --daily-budget --total-budget --end --post --location --landing-url --cta --start --dry-run" ;;
			esac ;;
		report) opts="--link --since" ;;
		backup) _filedir; return ;;
	esac
	COMPREPLY=($(compgen -W "$opts $globals" -- "$cur"))
}
complete -F _ttlinkctl ttlinkctl
