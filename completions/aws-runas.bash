# bash completion for aws-runas. Profile names come from the binary itself
# (`aws-runas --generate-bash-completion`), so they follow AWS_CONFIG_FILE and
# AWS_SHARED_CREDENTIALS_FILE.
_aws_runas() {
  local cur prev words cword
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev="${COMP_WORDS[COMP_CWORD-1]}"
  local flags="-d --duration -a --role-duration -o --otp -M --mfa-serial -t --mfa-type -X --external-id
    -J --jump-role -S --saml-url -I --saml-entityid -W --web-url -T --web-redirect -C --web-client
    -U --username -P --password -R --provider -E --env -O --output -s --session -r --refresh
    -e --expiration -w --whoami -c --write-credentials -m --list-mfa -l --list-roles -u --update
    -D --diagnose -v --verbose -V --version -h --help --ec2"
  case "$prev" in
    -O|--output) COMPREPLY=($(compgen -W "env json" -- "$cur")); return ;;
    -t|--mfa-type) COMPREPLY=($(compgen -W "auto none code push" -- "$cur")); return ;;
    -d|--duration|-a|--role-duration|-o|--otp|-M|--mfa-serial|-X|--external-id|-J|--jump-role|-S|--saml-url|\
    -I|--saml-entityid|-W|--web-url|-T|--web-redirect|-C|--web-client|-U|--username|-P|--password|-R|--provider|\
    -p|--port) return ;;
  esac
  # The first positional word decides what follows.
  local i word first="" second=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="${COMP_WORDS[i]}"
    case "$word" in
      -d|--duration|-a|--role-duration|-o|--otp|-M|--mfa-serial|-t|--mfa-type|-X|--external-id|-J|--jump-role|\
      -S|--saml-url|-I|--saml-entityid|-W|--web-url|-T|--web-redirect|-C|--web-client|-U|--username|-P|--password|\
      -R|--provider|-O|--output|-p|--port) ((i++)) ;;
      -*) ;;
      *) if [ -z "$first" ]; then first="$word"; elif [ -z "$second" ]; then second="$word"; fi ;;
    esac
  done
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$flags -p --port -H --headless" -- "$cur"))
    return
  fi
  local profiles
  profiles="$(aws-runas --generate-bash-completion 2>/dev/null)"
  case "$first" in
    "") COMPREPLY=($(compgen -W "list serve diagnose password update help $profiles" -- "$cur")) ;;
    list|ls) if [ -z "$second" ]; then COMPREPLY=($(compgen -W "roles mfa" -- "$cur"));
             else COMPREPLY=($(compgen -W "$profiles" -- "$cur")); fi ;;
    serve|srv) if [ -z "$second" ]; then COMPREPLY=($(compgen -W "ecs ec2" -- "$cur"));
               else COMPREPLY=($(compgen -W "$profiles" -- "$cur")); fi ;;
    diagnose|diag) COMPREPLY=($(compgen -W "$profiles" -- "$cur")) ;;
    password|passwd|pw) if [ -z "$second" ]; then COMPREPLY=($(compgen -W "$profiles" -- "$cur")); fi ;;
    update|help|h) ;;
    *) COMPREPLY=($(compgen -c -- "$cur")) ;;  # after the profile: the command to run
  esac
}
complete -o default -F _aws_runas aws-runas
