# Break-Glass Console (issue 17): the operator's own .zprofile for a login shell, unchanged.
__bg_zdotdir="$ZDOTDIR"
ZDOTDIR="$BREAKGLASS_USER_ZDOTDIR"
if [[ -f "$ZDOTDIR/.zprofile" ]]; then
  . "$ZDOTDIR/.zprofile"
fi
ZDOTDIR="$__bg_zdotdir"
