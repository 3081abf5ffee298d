# Break-Glass Console shell integration for bash (issue 17, "A command index").
# Started as `bash --rcfile THIS`: the operator's own ~/.bashrc is sourced first, unchanged, then
# the marks are added. Marks (FinalTerm's OSC 133, the command line as VS Code's OSC 633;E):
#   A prompt start, B command start (end of the prompt), E the command line, C executed, D;status.
# Each carries the session's nonce, kept in an unexported variable so programs started from this
# shell cannot read it and print convincing marks of their own.

if [ -r "$HOME/.bashrc" ]; then
  # shellcheck disable=SC1091
  . "$HOME/.bashrc"
fi

__bg_nonce="${BREAKGLASS_SHELL_NONCE-}"
unset BREAKGLASS_SHELL_NONCE
__bg_state=prompt

# VS Code's escaping for 633 properties: backslash doubled, ';' and control characters as \xNN.
__bg_escape() {
  local s="$1" out="" c i
  for ((i = 0; i < ${#s}; i++)); do
    c="${s:i:1}"
    case "$c" in
      '\') out+='\\' ;;
      ';') out+='\x3b' ;;
      [[:cntrl:]]) printf -v c '\\x%02x' "'$c"; out+="$c" ;;
      *) out+="$c" ;;
    esac
  done
  builtin printf '%s' "$out"
}

# Runs before each simple command (DEBUG trap); acts only on the first one of a typed line.
__bg_preexec() {
  [ "$__bg_state" = prompt ] || return 0
  [ -n "${COMP_LINE-}" ] && return 0
  [ "$BASH_COMMAND" = __bg_precmd ] && return 0
  __bg_state=running
  local line
  line="$(HISTTIMEFORMAT='' builtin history 1)"
  if [[ $line =~ ^[[:space:]]*[0-9]+[*]?[[:space:]]+(.*)$ ]]; then line="${BASH_REMATCH[1]}"; else line="$BASH_COMMAND"; fi
  builtin printf '\e]633;E;%s;%s\a\e]133;C;bg=%s\a' "$(__bg_escape "$line")" "$__bg_nonce" "$__bg_nonce"
}

# First in PROMPT_COMMAND: the finished mark with the status of what ran.
__bg_precmd() {
  local status=$?
  if [ "$__bg_state" = running ]; then
    builtin printf '\e]133;D;%s;bg=%s\a' "$status" "$__bg_nonce"
  fi
  __bg_state=precmd
  return $status
}

# Last in PROMPT_COMMAND: the prompt marks around PS1 (again each time: a prompt framework may
# have rewritten PS1), then commands typed from here on are the operator's.
__bg_postcmd() {
  local a b
  a="\[\e]133;A;bg=${__bg_nonce}\a\]"
  b="\[\e]133;B;bg=${__bg_nonce}\a\]"
  case "$PS1" in
    *"133;B;bg=${__bg_nonce}"*) ;;
    *) PS1="${a}${PS1}${b}" ;;
  esac
  __bg_state=prompt
}

if [[ "$(declare -p PROMPT_COMMAND 2>/dev/null)" == "declare -a"* ]]; then
  PROMPT_COMMAND=(__bg_precmd "${PROMPT_COMMAND[@]}" __bg_postcmd)
else
  # An operator's PROMPT_COMMAND may end in ';' (pyenv's does): `;;` would be a syntax error.
  __bg_pc=$PROMPT_COMMAND
  while [[ $__bg_pc == *[\;[:space:]] ]]; do __bg_pc=${__bg_pc%?}; done
  PROMPT_COMMAND="__bg_precmd${__bg_pc:+; $__bg_pc}; __bg_postcmd"
  unset __bg_pc
fi
trap '__bg_preexec' DEBUG
