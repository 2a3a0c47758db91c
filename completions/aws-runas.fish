# fish completion for aws-runas. Profile names come from `aws-runas --generate-bash-completion`.
function __aws_runas_profiles
    aws-runas --generate-bash-completion 2>/dev/null
end

function __aws_runas_no_positional
    set -l words (commandline -opc)
    for word in $words[2..-1]
        switch $word
            case '-*'
            case '*'
                return 1
        end
    end
    return 0
end

complete -c aws-runas -f
complete -c aws-runas -n __aws_runas_no_positional -a 'list serve diagnose password update help' -d command
complete -c aws-runas -n __aws_runas_no_positional -a '(__aws_runas_profiles)' -d profile
complete -c aws-runas -n '__fish_seen_subcommand_from list ls; and not __fish_seen_subcommand_from roles mfa' -a 'roles mfa'
complete -c aws-runas -n '__fish_seen_subcommand_from serve srv; and not __fish_seen_subcommand_from ecs ec2' -a 'ecs ec2'
complete -c aws-runas -n '__fish_seen_subcommand_from roles mfa ecs ec2 diagnose diag password passwd pw' -a '(__aws_runas_profiles)' -d profile
complete -c aws-runas -n '__fish_seen_subcommand_from serve srv' -s p -l port -r -d 'port'
complete -c aws-runas -n '__fish_seen_subcommand_from serve srv' -s H -l headless -d 'prompt on the terminal'
complete -c aws-runas -s d -l duration -r -d 'session token duration'
complete -c aws-runas -s a -l role-duration -r -d 'role credential duration'
complete -c aws-runas -s o -l otp -r -d 'MFA code'
complete -c aws-runas -s M -l mfa-serial -r -d 'MFA device serial'
complete -c aws-runas -s t -l mfa-type -x -a 'auto none code push' -d 'MFA type'
complete -c aws-runas -s X -l external-id -r -d 'external ID'
complete -c aws-runas -s J -l jump-role -r -d 'jump role ARN'
complete -c aws-runas -s S -l saml-url -r -d 'SAML URL'
complete -c aws-runas -s I -l saml-entityid -r -d 'SAML entity ID'
complete -c aws-runas -s W -l web-url -r -d 'OIDC URL'
complete -c aws-runas -s T -l web-redirect -r -d 'OIDC redirect URI'
complete -c aws-runas -s C -l web-client -r -d 'OIDC client ID'
complete -c aws-runas -s U -l username -r -d 'IdP username'
complete -c aws-runas -s P -l password -r -d 'IdP password'
complete -c aws-runas -s R -l provider -r -d 'IdP type'
complete -c aws-runas -s E -l env -d 'credentials as environment variables'
complete -c aws-runas -s O -l output -x -a 'env json' -d 'output format'
complete -c aws-runas -s s -l session -d 'session token credentials'
complete -c aws-runas -s r -l refresh -d 'discard cached credentials'
complete -c aws-runas -s e -l expiration -d 'show expiry'
complete -c aws-runas -s w -l whoami -d 'show caller identity'
complete -c aws-runas -s c -l write-credentials -d 'write to the credentials file'
complete -c aws-runas -s m -l list-mfa -d 'list MFA devices'
complete -c aws-runas -s l -l list-roles -d 'list assumable roles'
complete -c aws-runas -s u -l update -d 'check for a new version'
complete -c aws-runas -s D -l diagnose -d 'run diagnostics'
complete -c aws-runas -s v -l verbose -d 'debug output'
complete -c aws-runas -s V -l version -d 'print the version'
complete -c aws-runas -l ec2 -d 'run an EC2 metadata service'
